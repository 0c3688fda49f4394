import Foundation
import HoistOCI

/// An OCI image layout directory (image-spec's image-layout.md): `oci-layout`, `index.json` and
/// `blobs/ALG/ENCODED`. The one place that reads and writes layouts: `oci:DIR` for `hoist copy`,
/// `--build-context NAME=oci-layout://DIR`, the layouts inside OCI and docker archives, and the
/// local store under `$HOIST_ROOT`, which is itself a layout whose blobs are the content store.
/// Files are written to a temp name and renamed, and `index.json` last, so a reader never sees an
/// entry whose blobs are missing. Tarring a layout is `OCILayout.tar` in HoistLayers.
public struct OCILayout: Sendable {
    /// image-spec's name of an index entry: a tag (`1`, `latest`) or, in Hoist's store, a full reference.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// containerd's (and buildx's) full name of an index entry.
    public static let imageNameAnnotation = "io.containerd.image.name"
    /// The `oci-layout` file's content.
    static let layoutFile = #"{"imageLayoutVersion":"1.0.0"}"#

    /// The layout's directory.
    public let path: String

    public init(path: String) { self.path = path }

    public var indexPath: String { path + "/index.json" }

    /// Where the blob with `digest` is (or would be) in the layout.
    public func blobPath(_ digest: Digest) -> String { "\(path)/blobs/\(digest.algorithm)/\(digest.encoded)" }

    /// `index.json`; throws `OCILayoutError.notALayout` when it is absent or not an image index.
    public func index() throws -> Index {
        guard let data = FileManager.default.contents(atPath: indexPath),
              let index = try? CanonicalJSON.decode(Index.self, from: Array(data)) else {
            throw OCILayoutError.notALayout(path)
        }
        return index
    }

    /// The index entry `reference` names: a digest (`sha256:…`), else an entry whose ref.name is
    /// `reference`; with no reference, the only entry. Throws `OCILayoutError` with the names offered.
    public func select(_ reference: String?) throws -> Descriptor {
        let index = try index()
        let matching = index.manifests.filter { entry in
            guard let reference else { return true }
            return entry.digest.description == reference || entry.annotations?[Self.refNameAnnotation] == reference
        }
        guard let chosen = matching.first, reference != nil || matching.count == 1 else {
            let names = index.manifests.compactMap { $0.annotations?[Self.refNameAnnotation] }
            throw reference.map { OCILayoutError.noSuchImage(path, $0, offered: names) }
                ?? OCILayoutError.severalImages(path, count: index.manifests.count, offered: names)
        }
        return chosen
    }

    /// The entry whose ref.name is `name`, if any.
    public func entry(named name: String) -> Descriptor? {
        (try? index())?.manifests.first { $0.annotations?[Self.refNameAnnotation] == name }
    }

    /// A blob's bytes, checked against `digest`; throws `OCILayoutError` if missing or different.
    public func verifiedBlob(_ digest: Digest) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else { throw OCILayoutError.missingBlob(path, digest) }
        let bytes = Array(data)
        guard Digest.sha256(of: bytes) == digest else { throw OCILayoutError.corruptBlob(path, digest) }
        return bytes
    }

    /// Makes the directory, its `oci-layout` file and `blobs/sha256` if absent.
    public func create() throws {
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path + "/oci-layout") {
            try Self.replace(path + "/oci-layout", with: Array(Self.layoutFile.utf8))
        }
    }

    /// Stores `bytes` as the blob `digest` unless it is there already.
    public func writeBlob(_ bytes: [UInt8], digest: Digest) throws {
        try placeBlob(digest) { temp in try Data(bytes).write(to: URL(fileURLWithPath: temp)) }
    }

    /// Copies a verified file (a store blob) in as the blob `digest` unless it is there already.
    public func copyBlob(from file: String, digest: Digest) throws {
        try placeBlob(digest) { temp in try FileManager.default.copyItem(atPath: file, toPath: temp) }
    }

    /// The blob `digest`, unless present, written by `write` to a temp name and renamed into place.
    private func placeBlob(_ digest: Digest, write: (String) throws -> Void) throws {
        let target = blobPath(digest)
        guard !FileManager.default.fileExists(atPath: target) else { return }
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Self.replace(target) { temp in try write(temp) }
    }

    /// Adds `entry` to `index.json` (made if absent), replacing an entry of the same ref.name.
    public func add(_ entry: Descriptor) throws {
        try create()
        var index = (try? self.index()) ?? Index(mediaType: .ociIndex, manifests: [])
        if let name = entry.annotations?[Self.refNameAnnotation] {
            index.manifests.removeAll { $0.annotations?[Self.refNameAnnotation] == name }
        }
        index.manifests.append(entry)
        try Self.replace(indexPath, with: try CanonicalJSON.encode(index))
    }

    /// Removes the entry whose ref.name is `name`; false if there was none. Blobs stay.
    public func remove(named name: String) throws -> Bool {
        guard var index = try? self.index() else { return false }
        let before = index.manifests.count
        index.manifests.removeAll { $0.annotations?[Self.refNameAnnotation] == name }
        guard index.manifests.count != before else { return false }
        try Self.replace(indexPath, with: try CanonicalJSON.encode(index))
        return true
    }

    /// Writes `bytes` at `target` through a temp file and a rename.
    static func replace(_ target: String, with bytes: [UInt8]) throws {
        try replace(target) { temp in try Data(bytes).write(to: URL(fileURLWithPath: temp)) }
    }

    /// `target` written by `write` to `target.partial` first, then renamed over it.
    private static func replace(_ target: String, write: (String) throws -> Void) throws {
        let temp = target + ".partial"
        try? FileManager.default.removeItem(atPath: temp)
        do { try write(temp) } catch { throw OCILayoutError.io(temp, "\(error)") }
        guard rename(temp, target) == 0 else { throw OCILayoutError.io(target, String(cString: strerror(errno))) }
    }
}

public enum OCILayoutError: Error, CustomStringConvertible, Equatable {
    case notALayout(String)
    case noSuchImage(String, String, offered: [String])
    case severalImages(String, count: Int, offered: [String])
    case missingBlob(String, Digest)
    case corruptBlob(String, Digest)
    case io(String, String)

    public var description: String {
        switch self {
        case let .notALayout(path): "\(path): no readable index.json: not an OCI image layout"
        case let .noSuchImage(path, reference, offered):
            "\(path): no image named \(reference) (names: \(offered.isEmpty ? "none" : offered.joined(separator: ", ")))"
        case let .severalImages(path, count, offered):
            "\(path) holds \(count) images; name one with :TAG (names: \(offered.isEmpty ? "none" : offered.joined(separator: ", ")))"
        case let .missingBlob(path, digest): "\(path): blob \(digest) is missing"
        case let .corruptBlob(path, digest): "\(path): blob \(digest) does not match its digest"
        case let .io(path, why): "\(path): \(why)"
        }
    }
}
