import CIsal
import Foundation

/// A gzip file inflated with ISA-L's igzip on a thread of its own, ahead of its reader: the reader
/// (libarchive parsing tar and the files it writes) takes 1 MiB buffers from a queue of four while
/// the next ones are inflated, so inflating and writing overlap on two cores. Member after member
/// (pigz and concatenated gzip files), every member's CRC-32 and length checked by igzip; bytes
/// after the last member that do not start another one end the stream, as gzip(1) ignores them.
public final class GzipInflater: @unchecked Sendable {
    /// Bytes per buffer handed to the reader (1 MiB).
    public static let bufferSize = 1 << 20

    /// What the inflating thread and the reader share; the thread holds only this, so a reader
    /// that stops early frees the inflater, which stops the thread.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var filled: [(UnsafeMutableRawPointer, Int)] = []
        var free: [UnsafeMutableRawPointer]
        var finished = false
        var cancelled = false
        var failure: String?

        init(depth: Int) {
            free = (0..<depth).map { _ in UnsafeMutableRawPointer.allocate(byteCount: GzipInflater.bufferSize, alignment: 64) }
        }

        deinit {
            for buffer in free { buffer.deallocate() }
            for (buffer, _) in filled { buffer.deallocate() }
        }
    }

    private let queue = Queue(depth: 4)
    /// The buffer the reader holds until it asks for the next one.
    private var lent: UnsafeMutableRawPointer?

    /// What stopped the inflating early; nil at a clean end.
    var failure: String? {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        return queue.failure
    }

    /// Whether `input` starts with gzip's magic bytes (read again from the start afterwards).
    static func isGzip(_ input: LayerInput) -> Bool {
        input.starts(with: [0x1f, 0x8b])
    }

    /// Starts inflating `input`, reading it `readSize` bytes at a time (small only in tests, to put
    /// member boundaries at every offset of a read).
    init(input: LayerInput, readSize: Int = GzipInflater.bufferSize) {
        let queue = self.queue
        let thread = Thread {
            GzipInflater.produce(input, readSize: min(max(readSize, 1), GzipInflater.bufferSize), into: queue)
        }
        thread.name = "hoist-inflate"
        thread.start()
    }

    deinit {
        queue.condition.lock()
        queue.cancelled = true
        if let lent { queue.free.append(lent) }
        queue.condition.broadcast()
        while !queue.finished { queue.condition.wait() }
        queue.condition.unlock()
    }

    /// The next inflated bytes (valid until the next call), or an empty buffer at the end or on failure.
    func next() -> UnsafeRawBufferPointer {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        if let lent {
            queue.free.append(lent)
            self.lent = nil
            queue.condition.broadcast()
        }
        while queue.filled.isEmpty && !queue.finished { queue.condition.wait() }
        guard !queue.filled.isEmpty else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let (buffer, count) = queue.filled.removeFirst()
        lent = buffer
        return UnsafeRawBufferPointer(start: buffer, count: count)
    }

    private static func produce(_ source: LayerInput, readSize: Int, into queue: Queue) {
        let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
        // One byte more than a read: a byte left over from the last read goes in front of the next.
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferSize + 1)
        defer { state.deallocate(); input.deallocate() }
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        var atEnd = false
        var problem: String?
        var streamDone = false
        while problem == nil && !streamDone {
            queue.condition.lock()
            while queue.free.isEmpty && !queue.cancelled { queue.condition.wait() }
            let out = queue.cancelled ? nil : queue.free.removeLast()
            queue.condition.unlock()
            guard let out else { break }
            state.pointee.next_out = out.assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_out = UInt32(bufferSize)
            while state.pointee.avail_out > 0 {
                let finishedMember = state.pointee.block_state == ISAL_BLOCK_FINISH
                // Read on when the input is used up, or when a member ended with fewer bytes left
                // than the next one's magic: those stay, moved to the front, and the read follows them.
                if !atEnd && (state.pointee.avail_in == 0 || (finishedMember && state.pointee.avail_in < 2)) {
                    let kept = Int(state.pointee.avail_in)
                    if kept > 0 { input.update(from: state.pointee.next_in, count: kept) }
                    let n = source.read(into: input + kept, capacity: readSize)
                    if n < 0 { problem = source.failure ?? "reading the layer failed"; break }
                    if n == 0 { atEnd = true }
                    state.pointee.next_in = input
                    state.pointee.avail_in = UInt32(kept + max(n, 0))
                    if n > 0 { continue }
                }
                if finishedMember {
                    // One member ended: another follows only if its magic does.
                    guard state.pointee.avail_in >= 2, state.pointee.next_in[0] == 0x1f, state.pointee.next_in[1] == 0x8b else {
                        streamDone = true
                        break
                    }
                    let (next, available) = (state.pointee.next_in, state.pointee.avail_in)
                    let (nextOut, availableOut) = (state.pointee.next_out, state.pointee.avail_out)
                    isal_inflate_reset(state)
                    state.pointee.crc_flag = UInt32(ISAL_GZIP)
                    (state.pointee.next_in, state.pointee.avail_in) = (next, available)
                    (state.pointee.next_out, state.pointee.avail_out) = (nextOut, availableOut)
                }
                let before = (state.pointee.avail_in, state.pointee.avail_out)
                let rc = isal_inflate(state)
                guard rc == ISAL_DECOMP_OK else { problem = describe(rc); break }
                if atEnd, state.pointee.block_state != ISAL_BLOCK_FINISH, (state.pointee.avail_in, state.pointee.avail_out) == before {
                    problem = "the gzip stream ends early (truncated layer)"
                    break
                }
            }
            let count = bufferSize - Int(state.pointee.avail_out)
            queue.condition.lock()
            if count > 0 { queue.filled.append((out, count)) } else { queue.free.append(out) }
            if let problem { queue.failure = problem }
            queue.condition.broadcast()
            queue.condition.unlock()
            if atEnd && count == 0 { break }
        }
        queue.condition.lock()
        queue.finished = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    private static func describe(_ rc: Int32) -> String {
        switch rc {
        case ISAL_INVALID_WRAPPER: "not a valid gzip header"
        case ISAL_INCORRECT_CHECKSUM: "the gzip CRC-32 does not match (corrupt layer)"
        case ISAL_INVALID_BLOCK, ISAL_INVALID_SYMBOL, ISAL_INVALID_LOOKBACK: "invalid deflate data (corrupt layer)"
        default: "igzip failed (\(rc))"
        }
    }
}
