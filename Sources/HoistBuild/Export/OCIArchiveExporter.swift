import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// `--output type=oci,dest=FILE.tar`: an OCI image layout in a tar, with every blob the manifest
/// names (base layers are fetched for it) and `index.json` naming the image as buildx does.
struct OCIArchiveExporter {
    let registry: RegistryClient

    func write(_ image: AssembledImage, tags: [Reference], to dest: String) async throws {
        for layer in image.layers { try await layer.localize(using: registry) }
        let store = registry.store
        let scratch = store.root.appendingPathComponent("ingest/oci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var annotations: [String: String]?
        if let tag = tags.first {
            annotations = ["io.containerd.image.name": tag.description,
                           "org.opencontainers.image.ref.name": tag.tag ?? "latest"]
        }
        let index = Index(mediaType: .ociIndex, manifests: [
            Descriptor(mediaType: .ociManifest, digest: image.manifestDigest, size: Int64(image.manifestBytes.count), annotations: annotations),
        ])
        let files: [(String, [UInt8])] = [
            ("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)),
            ("index.json", try CanonicalJSON.encode(index)),
        ]
        var entries: [LayerEntry] = [
            LayerEntry(path: "blobs", kind: .directory, mode: 0o755, mtime: 0),
            LayerEntry(path: "blobs/sha256", kind: .directory, mode: 0o755, mtime: 0),
        ]
        for (name, bytes) in files {
            let path = scratch + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw BuildError.context("cannot write \(path)")
            }
            entries.append(LayerEntry(path: name, kind: .file(source: path, size: Int64(bytes.count)), mode: 0o644, mtime: 0))
        }
        let digests = Set(image.layers.map(\.descriptor.digest) + [image.manifest.config.digest, image.manifestDigest])
        for digest in digests {
            guard let size = store.size(of: digest) else { throw BuildError.context("blob \(digest) is missing from the local store") }
            entries.append(LayerEntry(path: "blobs/sha256/\(digest.encoded)", kind: .file(source: store.path(for: digest), size: size),
                                      mode: 0o644, mtime: 0))
        }
        try await Blocking.run { [entries] in try TarWriter.write(entries, toFile: dest) }
    }
}
