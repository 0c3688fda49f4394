import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// `type=docker,dest=FILE.tar`: what `docker load` reads. The archive is an OCI layout (as
/// `docker save` writes since Docker 25) plus `manifest.json`, whose `RepoTags` name the image.
struct DockerArchiveExporter {
    let registry: RegistryClient

    func write(_ image: AssembledImage, tags: [Reference], to dest: String) async throws {
        let scratch = registry.store.root.appendingPathComponent("ingest/docker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let layout = scratch + "/layout"
        let config = LayerRef(descriptor: image.manifest.config, diffID: image.manifest.config.digest, source: .store)
        let source = SourceImage(root: FetchedManifest(bytes: image.manifestBytes, mediaType: .ociManifest, digest: image.manifestDigest),
                                 children: [], blobs: image.layers + [config], endpoint: nil)
        let annotations = tags.first.map { ["io.containerd.image.name": $0.description, "org.opencontainers.image.ref.name": $0.tag ?? "latest"] }
        try await ImageCopier(registry: registry).writeLayout(source, to: layout, annotations: annotations)
        let manifest: [[String: Any]] = [[
            "Config": "blobs/sha256/\(image.manifest.config.digest.encoded)",
            "RepoTags": tags.map(DockerArchiveExporter.familiarName),
            "Layers": image.manifest.layers.map { "blobs/sha256/\($0.digest.encoded)" },
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
