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
    /// The download side failed (an error, or bytes that did not match), not the reader.
    private var writerFailed = false
    private var stopActions: [@Sendable () -> Void] = []
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
        guard count == size && actual == digest else {
            fail(count == size ? "its bytes hash to \(actual), not \(digest)" : "\(count) bytes arrived, not \(size)")
            return false
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
        return true
    }

    /// The download failed (`reason` says how): the reader's next `read` gives -1, and
    /// `downloadFailed` is true, so the reader may fetch the blob another way.
    public func fail(_ reason: String = "the transfer stopped") {
        end(reason, byWriter: true)
    }

    /// The reader needs no more bytes (it gave up, or the build stopped): the writer's next
    /// `write` throws, and whatever `onStop` registered runs (it stops the download).
    public func stop(_ reason: String) {
        end(reason, byWriter: false)
    }

    /// Either side ended the stream early. The first reason is kept; once the bytes matched
    /// (`finish` returned true) nothing ends any more: the reader may still be reading.
    private func end(_ reason: String, byWriter: Bool) {
        condition.lock()
        guard problem == nil, !finished else { condition.unlock(); return }
        problem = reason
        writerFailed = byWriter
        let actions = stopActions
        stopActions = []
        condition.broadcast()
        condition.unlock()
        for action in actions { action() }
    }

    /// Runs `action` once the stream fails or is stopped (at once if it has been already); not
    /// after bytes that matched.
    public func onStop(_ action: @escaping @Sendable () -> Void) {
        condition.lock()
        if problem == nil {
            stopActions.append(action)
            condition.unlock()
            return
        }
        condition.unlock()
        action()
    }

    /// Why the stream failed or stopped, if it did.
    public var failure: String? {
        condition.lock()
        defer { condition.unlock() }
        return problem
    }

    /// Whether the download side failed (an error, or bytes that did not match their digest).
    public var downloadFailed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return writerFailed
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
