import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// `--output type=oci,dest=FILE.tar`: an OCI image layout in a tar, with every blob the manifest
/// (or index) names — base layers are fetched for it — and `index.json` naming the image as buildx does.
struct OCIArchiveExporter {
    let registry: RegistryClient

    func write(_ image: SourceImage, tags: [Reference], to dest: String) async throws {
        let scratch = registry.store.root.appendingPathComponent("ingest/oci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try await ImageCopier(registry: registry).writeLayout(image, to: scratch + "/layout", annotations: OCIArchiveExporter.annotations(for: tags))
        try await Blocking.run { try ImageCopier.tarLayout(scratch + "/layout", to: dest) }
    }

    /// The index entry's annotations buildx writes: the full name and the tag as `ref.name`.
    static func annotations(for tags: [Reference]) -> [String: String]? {
        tags.first.map { ["io.containerd.image.name": $0.description, "org.opencontainers.image.ref.name": $0.tag ?? "latest"] }
    }
}
