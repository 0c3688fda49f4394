import Foundation
import HoistOCI

/// One blob on its way into the store: bytes go to a temp file and through SHA-256 in the
/// same pass. Used from one thread at a time (a transfer's callback thread or a layer writer).
public final class BlobWriter: @unchecked Sendable {
    private let store: ContentStore
    public let tempPath: String
    private var fd: Int32
    private var hasher = SHA256Hasher()
    private var finished = false

    init(store: ContentStore, ingestDirectory: String) throws {
        self.store = store
        var template = Array("\(ingestDirectory)/blob-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ContentError.io(path: ingestDirectory, operation: "create a temp file", errno: errno) }
        tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { abort() }

    public var count: Int64 { hasher.count }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ContentError.io(path: tempPath, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Throws away what was written so far (a download that must start again from byte 0).
    public func restart() throws {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw ContentError.io(path: tempPath, operation: "truncate", errno: errno)
        }
        hasher = SHA256Hasher()
    }

    /// Verifies digest and size (when given), fsyncs and renames into the store; returns the
    /// digest. Bytes the store already holds are dropped without a sync.
    public func commit(expected: Digest? = nil, size: Int64? = nil, source: String = "blob") throws -> Digest {
        precondition(!finished, "BlobWriter committed twice")
        finished = true
        defer { unlink(tempPath) }
        let digest: Digest
        do {
            digest = try checked(expected: expected, size: size, source: source)
        } catch {
            close(fd)
            fd = -1
            throw error
        }
        // A blob the store holds already (a layer made again, the same bytes) needs no sync.
        guard !store.contains(digest) else {
            close(fd)
            fd = -1
            return digest
        }
        guard fsync(fd) == 0 else { let e = errno; close(fd); fd = -1; throw ContentError.io(path: tempPath, operation: "fsync", errno: e) }
        close(fd)
        fd = -1
        try store.install(temp: tempPath, digest: digest)
        return digest
    }

    /// Verifies digest and size (when given) and hands back the temp file instead of storing it,
    /// without an fsync: for bytes read once (a layer's headers, for its index) and then deleted by
    /// the caller. Nothing enters the store.
    public func verifiedTemporaryFile(expected: Digest, size: Int64?, source: String = "blob") throws -> String {
        precondition(!finished, "BlobWriter committed twice")
        finished = true
        close(fd)
        fd = -1
        do {
            _ = try checked(expected: expected, size: size, source: source)
        } catch {
            unlink(tempPath)
            throw error
        }
        return tempPath
    }

    /// The digest of what was written, after checking it and the size against what was expected.
    private func checked(expected: Digest?, size: Int64?, source: String) throws -> Digest {
        let digest = hasher.finalize()
        if let size, size != hasher.count {
            throw ContentError.sizeMismatch(expected: size, actual: hasher.count, source: source)
        }
        if let expected, expected != digest {
            throw ContentError.digestMismatch(expected: expected, actual: digest, source: source)
        }
        return digest
    }

    /// Drops the temp file; nothing becomes visible.
    public func abort() {
        guard !finished else { return }
        finished = true
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
    }
}
