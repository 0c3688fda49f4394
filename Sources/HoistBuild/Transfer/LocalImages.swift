import Foundation
import HoistContent
import HoistOCI

/// The images `hoist pull` keeps: `$HOIST_ROOT` is itself an OCI image layout (its blobs are the
/// content store), and `index.json` names each pulled image by its full reference.
public struct LocalImages {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func record(_ reference: Reference, manifest: Descriptor) throws {
        let path = root.appendingPathComponent("index.json").path
        var index = FileManager.default.contents(atPath: path).flatMap { try? CanonicalJSON.decode(Index.self, from: Array($0)) }
            ?? Index(mediaType: .ociIndex, manifests: [])
        let name = reference.description
        index.manifests.removeAll { $0.annotations?["org.opencontainers.image.ref.name"] == name }
        var entry = manifest
        entry.annotations = ["org.opencontainers.image.ref.name": name]
        index.manifests.append(entry)
        let layout = root.appendingPathComponent("oci-layout").path
        if !FileManager.default.fileExists(atPath: layout) {
            try ImageCopier.write(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), at: layout)
        }
        try ImageCopier.write(try CanonicalJSON.encode(index), at: path)
    }
}
