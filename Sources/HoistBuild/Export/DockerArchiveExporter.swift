import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// `type=docker,dest=FILE.tar`: what `docker load` reads. The archive is an OCI layout (as
/// `docker save` writes since Docker 25) plus `manifest.json`, whose `RepoTags` name the image.
struct DockerArchiveExporter {
    let registry: RegistryClient

    /// Any single-platform image (an index has no docker archive form).
    func write(_ source: SourceImage, tags: [Reference], to dest: String) async throws {
        guard source.root.mediaType.isManifest else {
            throw TransferError.badLocation(dest, "a docker archive holds one platform's image; choose one with --platform")
        }
        let manifestValue = try CanonicalJSON.decode(Manifest.self, from: source.root.bytes)
        let scratch = registry.store.root.appendingPathComponent("ingest/docker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let layout = scratch + "/layout"
        try await ImageCopier(registry: registry).writeLayout(source, to: layout, annotations: OCIArchiveExporter.annotations(for: tags))
        let manifest: [[String: Any]] = [[
            "Config": "blobs/sha256/\(manifestValue.config.digest.encoded)",
            "RepoTags": tags.map(DockerArchiveExporter.familiarName),
            "Layers": manifestValue.layers.map { "blobs/sha256/\($0.digest.encoded)" },
        ]]
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: layout + "/manifest.json"))
        try await Blocking.run { try ImageCopier.tarLayout(layout, to: dest, extra: ["manifest.json"]) }
    }

    /// Docker's short form: `docker.io/library/app:1` is `app:1`, `docker.io/u/app:1` is `u/app:1`.
    static func familiarName(_ reference: Reference) -> String {
        var name = reference.name
        if reference.domain == Reference.dockerHub {
            name = reference.path.hasPrefix("library/") ? String(reference.path.dropFirst(8)) : reference.path
        }
        return name + ":" + (reference.tag ?? "latest")
    }
}
