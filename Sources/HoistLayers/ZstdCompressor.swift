import CZstd

/// Streaming zstd (libzstd), two worker threads: the format's frame has no name or time, so equal
/// input at one level gives equal bytes.
final class ZstdCompressor {
    private let context: OpaquePointer
    private var output = [UInt8](repeating: 0, count: Int(ZSTD_CStreamOutSize()))
    private let emit: (UnsafeRawBufferPointer) throws -> Void

    init(level: Int32, emit: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let cctx = ZSTD_createCCtx() else { throw LayerError.compression("zstd: out of memory") }
        context = cctx
        self.emit = emit
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 2)
    }

    deinit { ZSTD_freeCCtx(context) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var input = ZSTD_inBuffer(src: base, size: bytes.count, pos: 0)
        while input.pos < input.size { _ = try step(&input, ZSTD_e_continue) }
    }

    func finish() throws {
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end) != 0 {}
    }

    /// One call of ZSTD_compressStream2; returns what libzstd says is left to flush.
    private func step(_ input: inout ZSTD_inBuffer, _ mode: ZSTD_EndDirective) throws -> Int {
        let capacity = output.count
        let (remaining, produced): (Int, Int) = output.withUnsafeMutableBytes { out in
            var buffer = ZSTD_outBuffer(dst: out.baseAddress, size: capacity, pos: 0)
            let r = ZSTD_compressStream2(context, &buffer, &input, mode)
            return (r, buffer.pos)
        }
        if ZSTD_isError(remaining) != 0 { throw LayerError.compression("zstd: \(String(cString: ZSTD_getErrorName(remaining)))") }
        if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
        return remaining
    }
}
