import ArgumentParser
import Foundation
import HoistBuild
import HoistOCI
import HoistRegistry

/// `hoist inspect REF [--raw] [--config]`, as `skopeo inspect`; `--format '{{json .Provenance}}'`
/// or `'{{json .SBOM}}'` prints the image's attestations as `docker buildx imagetools inspect` does.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an image's manifest, config or a summary of both.")

    @Flag(help: "Print the manifest (or index) exactly as the registry stores it.")
    var raw = false

    @Flag(help: "Print the image config.")
    var config = false

    @Option(help: "Print the attestations instead, as buildx imagetools inspect: '{{json .Provenance}}' or '{{json .SBOM}}'.")
    var format: String?

    @OptionGroup var target: RemoteImageOptions

    func run() async throws {
        let field: String?
        switch format?.replacingOccurrences(of: " ", with: "") {
        case nil: field = nil
        case "{{json.Provenance}}": field = "Provenance"
        case "{{json.SBOM}}": field = "SBOM"
        case let other?: throw ValidationError("--format \(other): expected '{{json .Provenance}}' or '{{json .SBOM}}'")
        }
        try await reportingFailure {
            let client = try target.registry.client()
            let argument = try ImageArgument(target.reference)
            let endpoint = try client.resolver.pullEndpoints(for: argument.reference, shortName: argument.shortName)[0]
            // skopeo shows the digest of what the name points at: the index, when it is one.
            let top = try await client.manifest(endpoint, reference: argument.reference.withDefaultTag.manifestReference)
            if let field {
                let attested = try await AttestationReader.read(top, endpoint: endpoint, registry: client,
                                                                platform: try target.platform.platform.map(Platform.init(parsing:)))
                guard attested.contains(where: { !$0.statements.isEmpty }) else {
                    throw BuildError.context("\(target.reference) has no attestations: neither in its index nor as referrers (built with --provenance=false, or by a tool that adds none?)")
                }
                try printAttestations(field, attested)
                return
            }
            if raw, !config {
                FileHandle.standardOutput.write(Data(top.bytes))
                return
            }
            let image = try await client.resolve(argument.reference, shortName: argument.shortName, platform: try target.platform.value())
            let configBytes = try client.store.read(image.manifest.config.digest)
            if config {
                FileHandle.standardOutput.write(Data(raw ? configBytes : try prettyJSON(configBytes)))
                if !raw { print() }
                return
            }
            var summary: [String: Any] = [
                "Name": "\(image.endpoint.host)/\(image.endpoint.repository)",
                "Digest": top.digest.description,
                "Architecture": image.config.architecture,
                "Os": image.config.os,
                "Layers": image.manifest.layers.map(\.digest.description),
                "Env": image.config.config?.env ?? [],
                "Labels": image.config.config?.labels ?? NSNull(),
                "RepoTags": (try? await client.tags(image.endpoint)) ?? [],
            ]
            if let created = image.config.created { summary["Created"] = created }
            if let variant = image.config.variant { summary["Variant"] = variant }
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// buildx's shapes: `{"SLSA": predicate}` for provenance, `{"SPDX": document, "AdditionalSPDXs": […]}`
    /// for SBOMs; keyed by platform when the image has several.
    private func printAttestations(_ field: String, _ attested: [AttestationReader.Attested]) throws {
        var byPlatform: [String: Any] = [:]
        for image in attested {
            let predicates = image.statements.compactMap { bytes -> (String, Any)? in
                guard let statement = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                      let type = statement["predicateType"] as? String, let predicate = statement["predicate"] else { return nil }
                return (type, predicate)
            }
            var value: [String: Any] = [:]
            if field == "Provenance", let slsa = predicates.first(where: { $0.0.hasPrefix("https://slsa.dev/provenance/") }) {
                value["SLSA"] = slsa.1
            }
            if field == "SBOM" {
                let documents = predicates.filter { $0.0 == "https://spdx.dev/Document" }.map(\.1)
                if let first = documents.first { value["SPDX"] = first }
                if documents.count > 1 { value["AdditionalSPDXs"] = Array(documents.dropFirst()) }
            }
            byPlatform[image.platform.normalized.description] = value
        }
        let output: Any = attested.count == 1 ? byPlatform.values.first! : byPlatform
        let data = try JSONSerialization.data(withJSONObject: output, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    private func prettyJSON(_ bytes: [UInt8]) throws -> [UInt8] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }
}
