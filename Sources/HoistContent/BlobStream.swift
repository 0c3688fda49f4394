import Foundation
import HoistOCI

/// A blob's bytes flowing from a download straight to their reader (an upload to another
/// registry, or a layer's tar headers being indexed) through a bounded buffer: the writer waits
/// when it is full, the reader when it is empty. The bytes are hashed on the way, and the reader
/// sees the end only once they match the digest and size: a mismatch, or a download that stops,
/// fails the reader instead, so nothing made from wrong bytes is ever kept.
public final class BlobStream: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var buffered = 0
    private var finished = false
    private var problem: String?
    private let limit: Int
    private let hasher = SHA256Hasher()

    /// `limit`: bytes held before the writer waits (default 8 MiB).
    public init(limit: Int = 8 << 20) { self.limit = limit }

    /// Adds bytes from the download; throws `ContentError.stopped` once the reader has given up.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        condition.lock()
        defer { condition.unlock() }
        while buffered >= limit, problem == nil { condition.wait() }
        if let problem { throw ContentError.stopped(problem) }
        chunks.append(Array(bytes))
        buffered += bytes.count
        condition.broadcast()
    }

    /// The download is complete: checks what passed against `digest` and `size`, then lets the
    /// reader see the end (or fails it). Returns whether the bytes matched.
    public func finish(expected digest: Digest, size: Int64) -> Bool {
        let count = hasher.count
        let actual = hasher.finalize()
        let ok = count == size && actual == digest
        condition.lock()
        if ok { finished = true } else if problem == nil {
            problem = count == size ? "its bytes hash to \(actual), not \(digest)" : "\(count) bytes arrived, not \(size)"
        }
        condition.broadcast()
        condition.unlock()
        return ok
    }

    /// Stops both sides: the writer's next `write` throws, the reader's next `read` gives -1.
    /// `reason` is what `failure` says (the first one given is kept). Once the bytes matched
    /// (`finish` returned true), nothing is stopped any more: the reader may still be reading.
    public func fail(_ reason: String = "the transfer stopped") {
        condition.lock()
        if problem == nil, !finished { problem = reason }
        condition.broadcast()
        condition.unlock()
    }

    /// Why the stream failed, if it did.
    public var failure: String? {
        condition.lock()
        defer { condition.unlock() }
        return problem
    }

    /// For the reader: copies up to `capacity` bytes into `buffer` and returns how many; 0 at the
    /// end, once the bytes matched; -1 when the stream failed. Blocks while nothing is buffered.
    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count == head, !finished, problem == nil { condition.wait() }
        if problem != nil { return -1 }
        if chunks.count == head { return 0 }
        var chunk = chunks[head]
        let n = min(capacity, chunk.count)
        chunk.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
        if n == chunk.count {
            chunks[head] = []
            head += 1
            if head > 64 { chunks.removeFirst(head); head = 0 }
        } else {
            chunk.removeFirst(n)
            chunks[head] = chunk
        }
        buffered -= n
        condition.broadcast()
        return n
    }
}
