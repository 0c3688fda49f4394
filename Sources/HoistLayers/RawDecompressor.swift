import CArchive
import Foundation

/// A compressed blob's plain bytes, whatever its compression (gzip, zstd, bzip2, xz or none),
/// streamed in chunks through libarchive's filters and its `raw` format.
public enum RawDecompressor {
    public static func read(_ path: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let archive = archive_read_new() else { throw LayerError.archive(operation: "archive_read_new", path: path, message: "out of memory") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_raw(archive)
        guard archive_read_open_filename(archive, path, 256 << 10) == ARCHIVE_OK else {
            throw LayerError.archive(operation: "open", path: path, message: String(cString: archive_error_string(archive)))
        }
        var entry: OpaquePointer?
        guard archive_read_next_header(archive, &entry) >= ARCHIVE_WARN else {
            throw LayerError.archive(operation: "read", path: path, message: String(cString: archive_error_string(archive)))
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n == 0 { return }
            guard n > 0 else {
                throw LayerError.archive(operation: "decompress", path: path, message: String(cString: archive_error_string(archive)))
            }
            try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
