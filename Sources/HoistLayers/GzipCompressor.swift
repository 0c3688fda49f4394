import CZlib

/// gzip through zlib with a fixed header (no name, mtime 0), so equal input gives equal bytes.
/// The z_stream lives at a fixed address because zlib keeps a pointer back to it.
final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 256 << 10)
    private let emit: (UnsafeRawBufferPointer) throws -> Void

    init(level: Int32 = 6, emit: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        self.emit = emit
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16 selects the gzip wrapper; zlib's default header has no name and mtime 0.
        let rc = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw LayerError.compression("deflateInit2 returned \(rc)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try pump(flush: Z_FINISH)
    }

    private func pump(flush: Int32) throws {
        let capacity = output.count
        while true {
            let (rc, produced): (Int32, Int) = output.withUnsafeMutableBytes { out in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(capacity)
                let rc = deflate(stream, flush)
                return (rc, capacity - Int(stream.pointee.avail_out))
            }
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else { throw LayerError.compression("deflate returned \(rc)") }
            if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if flush == Z_FINISH { if rc == Z_STREAM_END { return } } else if stream.pointee.avail_in == 0 && produced < capacity { return }
        }
    }
}
