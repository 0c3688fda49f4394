import Foundation
import HoistOCI

/// Content-addressed blobs under `ROOT/blobs/sha256/HEX`. A blob becomes visible only by an
/// atomic rename after its bytes were hashed, checked and fsynced, so readers never see a
/// half-written or wrong blob and concurrent writers of the same blob cannot corrupt it.
/// Immutable after init, hence safe to share between threads without an actor.
public final class ContentStore: Sendable {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        for sub in ["blobs/sha256", "ingest"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    public func path(for digest: Digest) -> String {
        root.appendingPathComponent("blobs/\(digest.algorithm)/\(digest.encoded)").path
    }

    public func contains(_ digest: Digest) -> Bool {
        FileManager.default.fileExists(atPath: path(for: digest))
    }

    public func size(of digest: Digest) -> Int64? {
        var st = stat()
        guard stat(path(for: digest), &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// Reads a whole blob; for manifests and configs, not layers.
    public func read(_ digest: Digest) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(for: digest)) else {
            throw ContentError.missing(digest)
        }
        return Array(data)
    }

    /// A new empty directory under `ingest/` for one operation's temporary files (`purpose` names
    /// it, for whoever looks); the caller removes it when done.
    public func scratchDirectory(_ purpose: String) throws -> String {
        let path = root.appendingPathComponent("ingest/\(purpose)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts writing a blob; `commit` makes it visible.
    public func writer() throws -> BlobWriter {
        try BlobWriter(store: self, ingestDirectory: root.appendingPathComponent("ingest").path)
    }

    /// Stores `bytes`, checked against `expected` when given. Returns the digest.
    @discardableResult
    public func ingest(_ bytes: [UInt8], expected: Digest? = nil, source: String = "blob") throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        if let expected, expected != digest {
            throw ContentError.digestMismatch(expected: expected, actual: digest, source: source)
        }
        if contains(digest) { return digest }
        let w = try writer()
        try w.write(bytes)
        return try w.commit(expected: digest, size: Int64(bytes.count), source: source)
    }

    /// Moves a verified temp file into place. Called by `BlobWriter` only.
    func install(temp: String, digest: Digest) throws {
        let target = path(for: digest)
        guard rename(temp, target) == 0 else { throw ContentError.io(path: target, operation: "rename into the store", errno: errno) }
    }
}
