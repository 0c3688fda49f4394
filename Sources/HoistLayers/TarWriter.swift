import CArchive
import Foundation

/// Writes tar streams with libarchive in PAX format; entries are written in the order given and
/// carry only the metadata in the entry. Used for layers and for image archives.
public enum TarWriter {
    /// Receives libarchive's output; keeps the first error so it can be rethrown in Swift.
    final class Sink {
        let consume: (UnsafeRawBufferPointer) throws -> Void
        var error: Error?
        init(_ consume: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.consume = consume }
    }

    static func write(_ entries: [LayerEntry], to sink: Sink) throws {
        try write(to: sink) { tar in
            for item in entries { try tar.append(item) }
        }
    }

    /// Opens a tar on `sink`, lets `produce` add its entries, and closes it.
    static func write(to sink: Sink, _ produce: (Appender) throws -> Void) throws {
        // libarchive holds an unretained pointer to the sink until archive_write_free (which may still flush).
        try withExtendedLifetime(sink) {
            _ = ArchiveLocale.ensured
            guard let archive = archive_write_new() else { throw LayerError.archive(operation: "archive_write_new", path: "layer", message: "out of memory") }
            defer { archive_write_free(archive) }
            archive_write_set_format_pax_restricted(archive)
            archive_write_add_filter_none(archive)
            let userdata = Unmanaged.passUnretained(sink).toOpaque()
            let opened = archive_write_open2(archive, userdata, nil, { _, userdata, buffer, length in
                let sink = Unmanaged<Sink>.fromOpaque(userdata!).takeUnretainedValue()
                do {
                    try sink.consume(UnsafeRawBufferPointer(start: buffer, count: length))
                    return la_ssize_t(length)
                } catch {
                    sink.error = error
                    return -1
                }
            }, nil, nil)
            try check(opened, archive, sink, "open", "layer")
            try produce(Appender(archive: archive, sink: sink))
            try check(archive_write_close(archive), archive, sink, "close", "layer")
        }
    }

    /// Adds entries to a tar being written, in the order they come: the one place an entry's
    /// header and body are encoded. Only the metadata in the entry is written. Valid only inside
    /// the `produce` call it is handed to (`LayerBuilder.write(into:compression:streaming:)`).
    public final class Appender {
        private let archive: OpaquePointer
        private let sink: Sink
        private var buffer = [UInt8](repeating: 0, count: 256 << 10)

        fileprivate init(archive: OpaquePointer, sink: Sink) {
            self.archive = archive
            self.sink = sink
        }

        /// Adds `item`; a regular file's body is read from its `source` file, `size` bytes from
        /// `offset`. Throws `LayerError.io` when the file is shorter than that.
        public func append(_ item: LayerEntry) throws {
            try writeHeader(item)
            guard case let .file(source, size, offset) = item.kind else { return }
            let fd = open(source, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw LayerError.io(path: source, message: String(cString: strerror(errno))) }
            defer { close(fd) }
            var remaining = size
            while remaining > 0 {
                let at = offset + size - remaining
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, Int(min(Int64($0.count), remaining)), off_t(at)) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw LayerError.io(path: source, message: "file changed while it was being copied (expected \(size) bytes)") }
                try buffer.withUnsafeBytes { try writeData(UnsafeRawBufferPointer(rebasing: $0[..<n]), item.path) }
                remaining -= Int64(n)
            }
        }

        /// Adds `item`, a regular file whose `source` is not read: `body` hands its bytes to the
        /// function it is given, in pieces, exactly `size` of them in all (another tar's entry
        /// copied as it is read). Throws `LayerError.io` for any other length.
        public func append(_ item: LayerEntry, body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
            guard case let .file(_, size, _) = item.kind else { return try append(item) }
            try writeHeader(item)
            var written: Int64 = 0
            try body { bytes in
                written += Int64(bytes.count)
                guard written <= size else { throw LayerError.io(path: item.path, message: "its body is longer than the \(size) bytes its entry gives") }
                try writeData(bytes, item.path)
            }
            guard written == size else { throw LayerError.io(path: item.path, message: "its body is \(written) bytes, not the \(size) its entry gives") }
        }

        private func writeHeader(_ item: LayerEntry) throws {
            guard let entry = archive_entry_new() else { throw LayerError.archive(operation: "archive_entry_new", path: item.path, message: "out of memory") }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, item.path)
            archive_entry_set_uid(entry, la_int64_t(item.uid))
            archive_entry_set_gid(entry, la_int64_t(item.gid))
            archive_entry_set_mtime(entry, time_t(item.mtime), 0)
            switch item.kind {
            case let .file(_, size, _):
                archive_entry_set_filetype(entry, HOIST_AE_IFREG)
                archive_entry_set_size(entry, la_int64_t(size))
            case .directory:
                archive_entry_set_filetype(entry, HOIST_AE_IFDIR)
            case let .symlink(target):
                archive_entry_set_filetype(entry, HOIST_AE_IFLNK)
                archive_entry_set_symlink_utf8(entry, target)
            case let .hardlink(target):
                archive_entry_set_filetype(entry, HOIST_AE_IFREG)
                archive_entry_set_hardlink_utf8(entry, target)
            }
            archive_entry_set_perm(entry, mode_t(item.mode & 0o7777))
            for (name, value) in item.xattrs.sorted(by: { $0.key < $1.key }) {
                value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, name, $0.baseAddress, $0.count) }
            }
            try check(archive_write_header(archive, entry), archive, sink, "write header", item.path)
        }

        private func writeData(_ bytes: UnsafeRawBufferPointer, _ path: String) throws {
            let written = archive_write_data(archive, bytes.baseAddress!, bytes.count)
            if written < 0 { try check(Int32(written), archive, sink, "write data", path) }
        }
    }

    static func check(_ rc: Int32, _ archive: OpaquePointer, _ sink: Sink, _ operation: String, _ path: String) throws {
        if let error = sink.error { throw error }
        guard rc >= ARCHIVE_WARN else {
            throw LayerError.archive(operation: operation, path: path, message: String(cString: archive_error_string(archive)))
        }
    }

    /// Writes `entries` (sorted by path) as a plain tar file at `path`, via a temp file and a rename
    /// so an interrupted export never leaves a truncated archive under the final name.
    public static func write(_ entries: [LayerEntry], toFile path: String) throws {
        let temp = path + ".hoist-partial"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LayerError.io(path: temp, message: String(cString: strerror(errno))) }
        var closed = false
        defer { if !closed { close(fd); unlink(temp) } }
        let sink = Sink { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; throw LayerError.io(path: temp, message: String(cString: strerror(errno))) }
                offset += n
            }
        }
        try write(PathOrder.sorted(entries, by: \.path), to: sink)
        guard fsync(fd) == 0 else { throw LayerError.io(path: temp, message: String(cString: strerror(errno))) }
        close(fd)
        closed = true
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw LayerError.io(path: path, message: String(cString: strerror(errno)))
        }
    }
}
