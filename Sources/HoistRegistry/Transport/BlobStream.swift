import Foundation
import HoistOCI

/// Bytes flowing from a download straight into an upload (a copy between registries), through a
/// bounded buffer: the downloading thread waits when it is full, the uploading one when it is empty.
/// The bytes are hashed on the way; a mismatch aborts the upload before it can complete.
public final class BlobStream: BodySink, @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var buffered = 0
    private var finished = false
    private var failed = false
    private let limit: Int
    private let hasher = SHA256Hasher()

    public init(limit: Int = 8 << 20) { self.limit = limit }

    public func begin(status: Int) throws {
        guard status == 200 else { throw TransportError.failed(url: "blob stream", message: "expected the whole blob, got HTTP \(status)") }
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        condition.lock()
        defer { condition.unlock() }
        while buffered >= limit, !failed { condition.wait() }
        if failed { throw TransportError.failed(url: "blob stream", message: "the upload stopped") }
        chunks.append(Array(bytes))
        buffered += bytes.count
        condition.broadcast()
    }

    /// The download is complete: checks what passed against `digest` and `size`, then lets the
    /// upload see the end (or fails it).
    public func finish(expected digest: Digest, size: Int64) -> Bool {
        let ok = hasher.count == size && hasher.finalize() == digest
        condition.lock()
        if ok { finished = true } else { failed = true }
        condition.broadcast()
        condition.unlock()
        return ok
    }

    public func fail() {
        condition.lock()
        failed = true
        condition.broadcast()
        condition.unlock()
    }

    /// For the upload's read callback: bytes copied, 0 at the end, -1 to abort.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count == head, !finished, !failed { condition.wait() }
        if failed { return -1 }
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
