import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// `--output type=oci,dest=FILE.tar`: an OCI image layout in a tar, with every blob the manifest
/// names (base layers are fetched for it) and `index.json` naming the image as buildx does.
struct OCIArchiveExporter {
    let registry: RegistryClient

    func write(_ image: AssembledImage, tags: [Reference], to dest: String) async throws {
        let scratch = registry.store.root.appendingPathComponent("ingest/oci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let config = LayerRef(descriptor: image.manifest.config, diffID: image.manifest.config.digest, source: .store)
        let source = SourceImage(root: FetchedManifest(bytes: image.manifestBytes, mediaType: .ociManifest, digest: image.manifestDigest),
                                 children: [], blobs: image.layers + [config], endpoint: nil)
        let annotations = tags.first.map { ["io.containerd.image.name": $0.description, "org.opencontainers.image.ref.name": $0.tag ?? "latest"] }
        let copier = ImageCopier(registry: registry)
        try await copier.writeLayout(source, to: scratch + "/layout", annotations: annotations)
        try await Blocking.run { try ImageCopier.tarLayout(scratch + "/layout", to: dest) }
    }
}
