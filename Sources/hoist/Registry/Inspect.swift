import ArgumentParser
import Foundation
import HoistBuild
import HoistOCI
import HoistRegistry

/// `hoist inspect REF [--raw] [--config]`, as `skopeo inspect`.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an image's manifest, config or a summary of both.")

    @Flag(help: "Print the manifest (or index) exactly as the registry stores it.")
    var raw = false

    @Flag(help: "Print the image config.")
    var config = false

    @OptionGroup var target: RemoteImageOptions

    func run() async throws {
        try await reportingFailure {
            let client = try target.registry.client()
            let argument = try ImageArgument(target.reference)
            let endpoint = try client.resolver.pullEndpoints(for: argument.reference, shortName: argument.shortName)[0]
            // skopeo shows the digest of what the name points at: the index, when it is one.
            let top = try await client.manifest(endpoint, reference: argument.reference.withDefaultTag.manifestReference)
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

    private func prettyJSON(_ bytes: [UInt8]) throws -> [UInt8] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }
}
