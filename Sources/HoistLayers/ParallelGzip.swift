import CDeflate
import Foundation

/// gzip on every core: the stream is cut into 1 MiB blocks, each compressed by libdeflate into a
/// gzip member of its own, and the members are written in order. A concatenation of members is a
/// valid gzip file (RFC 1952) that every reader (gzip, Go, zlib) accepts. The block size is fixed
/// and libdeflate writes no name and mtime 0, so equal input at one level gives equal bytes on
/// any machine, whatever its core count.
final class ParallelGzip {
    static let blockSize = 1 << 20

    private let level: Int32
    private let emit: (UnsafeRawBufferPointer) throws -> Void
    private let workers: Int
    private var compressors: [OpaquePointer]
    /// Blocks waiting to be compressed together, one per worker.
    private var batch: [[UInt8]] = []
    private var current: [UInt8] = []
    private var wroteAnything = false

    init(level: Int32, emit: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        self.level = max(1, min(12, level))
        self.emit = emit
        workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        compressors = []
        for _ in 0..<workers {
            guard let c = libdeflate_alloc_compressor(self.level) else { throw LayerError.compression("libdeflate: out of memory") }
            compressors.append(c)
        }
        current.reserveCapacity(ParallelGzip.blockSize)
    }

    deinit { compressors.forEach { libdeflate_free_compressor($0) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let take = min(ParallelGzip.blockSize - current.count, rest.count)
            current.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if current.count == ParallelGzip.blockSize {
                batch.append(current)
                current = []
                current.reserveCapacity(ParallelGzip.blockSize)
                if batch.count == workers { try flushBatch() }
            }
        }
    }

    func finish() throws {
        if !current.isEmpty || (!wroteAnything && batch.isEmpty) { batch.append(current) }
        current = []
        try flushBatch()
    }

    private func flushBatch() throws {
        guard !batch.isEmpty else { return }
        let blocks = batch
        batch = []
        var outputs = [[UInt8]](repeating: [], count: blocks.count)
        // Each iteration uses its own compressor and writes only its own slot.
        nonisolated(unsafe) let compressors = self.compressors
        outputs.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: blocks.count) { i in
                let c = compressors[i]
                let bound = libdeflate_gzip_compress_bound(c, blocks[i].count)
                var out = [UInt8](repeating: 0, count: bound)
                let n = blocks[i].withUnsafeBytes { input in
                    out.withUnsafeMutableBytes { libdeflate_gzip_compress(c, input.baseAddress, input.count, $0.baseAddress, bound) }
                }
                out.removeSubrange(n...)
                results[i] = out
            }
        }
        for out in outputs {
            guard !out.isEmpty else { throw LayerError.compression("libdeflate could not compress a block") }
            try out.withUnsafeBytes { try emit($0) }
        }
        wroteAnything = true
    }
}
