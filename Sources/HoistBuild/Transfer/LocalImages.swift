import Foundation
import HoistContent
import HoistOCI

/// The images `hoist pull` keeps: `$HOIST_ROOT` is itself an OCI image layout (its blobs are the
/// content store), and `index.json` names each pulled image by its full reference.
public struct LocalImages {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The images kept, by full reference name.
    public func list() -> [Descriptor] {
        let path = root.appendingPathComponent("index.json").path
        return (FileManager.default.contents(atPath: path).flatMap { try? CanonicalJSON.decode(Index.self, from: Array($0)) })?.manifests ?? []
    }

    /// The entry named `reference`, if kept.
    public func find(_ reference: Reference) -> Descriptor? {
        list().first { $0.annotations?["org.opencontainers.image.ref.name"] == reference.withDefaultTag.description }
    }

    /// Forgets a name; returns false if it was not kept. Blobs stay until the store is pruned.
    public func remove(_ reference: Reference) throws -> Bool {
        let path = root.appendingPathComponent("index.json").path
        guard var index = FileManager.default.contents(atPath: path).flatMap({ try? CanonicalJSON.decode(Index.self, from: Array($0)) }) else { return false }
        let before = index.manifests.count
        index.manifests.removeAll { $0.annotations?["org.opencontainers.image.ref.name"] == reference.withDefaultTag.description }
        guard index.manifests.count != before else { return false }
        try ImageCopier.write(try CanonicalJSON.encode(index), at: path)
        return true
    }

    /// The location of a kept image for `hoist copy`-style transfers.
    public func location(of reference: Reference) -> ImageLocation {
        .layout(path: root.path, tag: reference.withDefaultTag.description)
    }

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
