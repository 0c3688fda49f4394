import CDeflate
import Foundation

/// gzip on every core: the stream is cut into 1 MiB blocks, each compressed by libdeflate into a
/// gzip member of its own, and the members are written in order. A concatenation of members is a
/// valid gzip file (RFC 1952) that every reader (gzip, Go, zlib) accepts. The block size is fixed
/// and libdeflate writes no name and mtime 0, so equal input at one level gives equal bytes on
/// any machine, whatever its core count.
///
/// The caller's thread keeps producing (reading files, tar, diffID hash) while one worker thread
/// per core compresses; finished members are emitted, in order, on the caller's thread. At most
/// `2 × cores` blocks are in flight, which bounds memory to a few MiB.
final class ParallelGzip {
    static let blockSize = 1 << 20

    private let emit: (UnsafeRawBufferPointer) throws -> Void
    private let pool: Pool
    private let maxInFlight: Int
    private var current: [UInt8] = []
    private var submitted = 0
    private var emitted = 0

    init(level: Int32, emit: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        self.emit = emit
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        maxInFlight = 2 * workers
        pool = try Pool(level: max(1, min(12, level)), workers: workers)
        current.reserveCapacity(ParallelGzip.blockSize)
    }

    deinit { pool.stop() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let take = min(ParallelGzip.blockSize - current.count, rest.count)
            current.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if current.count == ParallelGzip.blockSize {
                try submit(current)
                current = []
                current.reserveCapacity(ParallelGzip.blockSize)
            }
        }
    }

    func finish() throws {
        // An empty stream still gets one (empty) member, so the result is a valid gzip file.
        if !current.isEmpty || submitted == 0 { try submit(current) }
        current = []
        try emitReady(whileInFlightAtLeast: 1)
        pool.stop()
    }

    private func submit(_ block: [UInt8]) throws {
        pool.add(block, sequence: submitted)
        submitted += 1
        try emitReady(whileInFlightAtLeast: maxInFlight)
    }

    /// Emits finished members in order; waits while `limit` or more blocks are still in flight.
    private func emitReady(whileInFlightAtLeast limit: Int) throws {
        while true {
            let ready = pool.takeReady(from: emitted, waitWhile: { [submitted] emitted in submitted - emitted >= limit })
            for member in ready {
                guard let member else { throw LayerError.compression("libdeflate could not compress a block") }
                try member.withUnsafeBytes { try emit($0) }
                emitted += 1
            }
            if ready.isEmpty { return }
        }
    }

    /// The worker threads and the blocks they share, behind one condition variable.
    private final class Pool: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [(Int, [UInt8])] = []
        private var finished: [Int: [UInt8]?] = [:]
        private var stopping = false

        init(level: Int32, workers: Int) throws {
            for _ in 0..<workers {
                guard let compressor = libdeflate_alloc_compressor(level) else { throw LayerError.compression("libdeflate: out of memory") }
                // Each compressor belongs to exactly one thread from here on.
                nonisolated(unsafe) let owned = compressor
                let thread = Thread { [self] in run(owned) }
                thread.stackSize = 1 << 20
                thread.start()
            }
        }

        private func run(_ compressor: OpaquePointer) {
            defer { libdeflate_free_compressor(compressor) }
            while true {
                condition.lock()
                while queue.isEmpty && !stopping { condition.wait() }
                if queue.isEmpty { condition.unlock(); return }
                let (sequence, block) = queue.removeFirst()
                condition.unlock()
                let bound = libdeflate_gzip_compress_bound(compressor, block.count)
                var out = [UInt8](repeating: 0, count: bound)
                let n = block.withUnsafeBytes { input in
                    out.withUnsafeMutableBytes { libdeflate_gzip_compress(compressor, input.baseAddress, input.count, $0.baseAddress, bound) }
                }
                out.removeSubrange(n...)
                condition.lock()
                finished[sequence] = n > 0 ? out : nil
                condition.broadcast()
                condition.unlock()
            }
        }

        func add(_ block: [UInt8], sequence: Int) {
            condition.lock()
            queue.append((sequence, block))
            condition.broadcast()
            condition.unlock()
        }

        /// The finished members from `next` on, in order (nil for a failed one); while none is
        /// ready and `waitWhile(next)` holds, waits.
        func takeReady(from next: Int, waitWhile: (Int) -> Bool) -> [[UInt8]?] {
            condition.lock()
            defer { condition.unlock() }
            while finished[next] == nil && waitWhile(next) { condition.wait() }
            var ready: [[UInt8]?] = []
            var sequence = next
            while let member = finished.removeValue(forKey: sequence) {
                ready.append(member)
                sequence += 1
            }
            return ready
        }

        func stop() {
            condition.lock()
            stopping = true
            queue.removeAll()
            condition.broadcast()
            condition.unlock()
        }
    }
}
