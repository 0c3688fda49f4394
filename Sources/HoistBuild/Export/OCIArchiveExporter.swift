import Foundation
import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry

/// `--output type=oci,dest=FILE.tar`: an OCI image layout in a tar, with every blob the manifest
/// (or index) names — base layers are fetched for it — and `index.json` naming the image as buildx does.
struct OCIArchiveExporter {
    let registry: RegistryClient

    func write(_ content: ImageContent, tags: [Reference], to dest: String) async throws {
        let scratch = registry.store.root.appendingPathComponent("ingest/oci-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let layout = OCILayout(path: scratch + "/layout")
        try await content.write(to: layout, annotations: OCIArchiveExporter.annotations(for: tags), registry: registry)
        try await Blocking.run { try layout.tar(to: dest) }
    }

    /// The index entry's annotations buildx writes: the full name and the tag as `ref.name`.
    static func annotations(for tags: [Reference]) -> [String: String]? {
        tags.first.map { [OCILayout.imageNameAnnotation: $0.description, OCILayout.refNameAnnotation: $0.tag ?? "latest"] }
    }
}
