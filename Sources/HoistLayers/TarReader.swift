import CArchive
import Foundation

/// Reads a layer blob (gzip, zstd or plain tar) header by header with libarchive; a body is
/// read only when asked for, otherwise skipped.
///
/// Each header's path is where a runtime puts the entry (containerd's RootPath): `..` stops at the
/// root, and a parent directory that is a symlink of this archive is followed inside the root, so
/// `escape -> /tmp` then `escape/file` gives `tmp/file` and nothing is ever placed outside. Hard-link
/// targets are resolved the same way. Only what has no place inside the root throws
/// `LayerError.uncontainable`: a whiteout of `.` or `..`, a hard link to the root itself.
public final class TarReader {
    private let archive: OpaquePointer
    private var entry: OpaquePointer?
    public let path: String
    /// This archive's symlinks read so far (contained path → target), which later paths go through.
    private var symlinks: [String: String] = [:]
    /// A gzip layer is inflated by igzip ahead of libarchive, on its own thread.
    private let inflater: GzipInflater?
    /// Feeds libarchive from a stream that is not gzip (zstd or plain tar still arriving).
    private let feed: StreamFeed?
    private let input: LayerInput

    /// Opens `path`; `inflateReadSize` is how much of a gzip layer is read at a time (see `GzipInflater`).
    public convenience init(path: String, inflateReadSize: Int = GzipInflater.bufferSize) throws {
        try self.init(input: LayerInput(path: path), inflateReadSize: inflateReadSize)
    }

    /// Reads `input` (a file, or a download still arriving); errors name its `label`.
    public init(input: LayerInput, inflateReadSize: Int = GzipInflater.bufferSize) throws {
        _ = ArchiveLocale.ensured
        self.path = input.label
        self.input = input
        guard let a = archive_read_new() else { throw LayerError.archive(operation: "archive_read_new", path: input.label, message: "out of memory") }
        archive = a
        archive_read_support_filter_all(a)
        archive_read_support_format_tar(a)
        let gzip = GzipInflater.isGzip(input)
        inflater = gzip ? GzipInflater(input: input, readSize: inflateReadSize) : nil
        // A file that is not gzip is read by name: libarchive seeks past the bodies of plain tar.
        feed = gzip || input.path != nil ? nil : StreamFeed(input)
        let opened: Int32
        if let inflater {
            opened = archive_read_open(a, Unmanaged.passUnretained(inflater).toOpaque(), nil, { _, data, buffer in
                let bytes = Unmanaged<GzipInflater>.fromOpaque(data!).takeUnretainedValue().next()
                buffer?.pointee = bytes.baseAddress
                return bytes.count
            }, nil)
        } else if let feed {
            opened = archive_read_open(a, Unmanaged.passUnretained(feed).toOpaque(), nil, { _, data, buffer in
                let feed = Unmanaged<StreamFeed>.fromOpaque(data!).takeUnretainedValue()
                buffer?.pointee = UnsafeRawPointer(feed.buffer)
                return feed.input.read(into: feed.buffer, capacity: StreamFeed.size)
            }, nil)
        } else {
            opened = archive_read_open_filename(a, input.path!, 256 << 10)
        }
        guard opened == ARCHIVE_OK else {
            // Every stored property is set, so deinit runs after this throw and frees the archive.
            throw LayerError.archive(operation: "open", path: input.label, message: failure ?? String(cString: archive_error_string(a)))
        }
    }

    /// Why inflating or the stream stopped early, when it did: libarchive only sees the end.
    private var failure: String? { inflater?.failure ?? feed?.input.failure }

    deinit { archive_read_free(archive) }

    /// The next header, or nil at the end.
    public func next() throws -> TarHeader? {
        let rc = archive_read_next_header(archive, &entry)
        if rc == ARCHIVE_EOF {
            if let failure { throw LayerError.archive(operation: "read header", path: path, message: failure) }
            return nil
        }
        guard rc >= ARCHIVE_WARN, let e = entry else {
            throw LayerError.archive(operation: "read header", path: path, message: failure ?? String(cString: archive_error_string(archive)))
        }
        let raw = archive_entry_pathname_utf8(e).map { String(cString: $0) } ?? archive_entry_pathname(e).map { String(cString: $0) } ?? ""
        let path = ContainedPath.resolvingParents(TarHeader.normalize(raw), through: symlinks)
        if let name = Whiteout.deletedName(path), name.isEmpty || name == "." || name == ".." {
            throw LayerError.uncontainable(entry: raw, reason: "it is a whiteout of \"\(name)\", which names no entry but a directory itself or above it")
        }
        let kind: TarHeader.Kind
        if let link = archive_entry_hardlink(e) {
            let target = ContainedPath.resolvingParents(TarHeader.normalize(String(cString: link)), through: symlinks)
            guard !target.isEmpty else {
                throw LayerError.uncontainable(entry: raw, reason: "it is a hard link to \"\(String(cString: link))\", which is the root or above it")
            }
            kind = .hardlink(target: target)
        } else {
            switch archive_entry_filetype(e) & HOIST_AE_IFMT {
            case HOIST_AE_IFREG: kind = .file
            case HOIST_AE_IFDIR: kind = .directory
            case HOIST_AE_IFLNK: kind = .symlink(target: archive_entry_symlink(e).map { String(cString: $0) } ?? "")
            default: kind = .other
            }
        }
        if case let .symlink(target) = kind { symlinks[path] = target } else if !symlinks.isEmpty { symlinks[path] = nil }
        return TarHeader(path: path, kind: kind, mode: UInt32(archive_entry_perm(e)),
                         uid: Int(archive_entry_uid(e)), gid: Int(archive_entry_gid(e)),
                         size: Int64(archive_entry_size(e)), mtime: Int(archive_entry_mtime(e)))
    }

    /// After the last header, for a layer still arriving: reads what is left of it, so its bytes
    /// are checked against their digest before anything made from them is kept. A file was
    /// checked when it was stored: nothing more is read. Throws `LayerError.io` when the bytes do
    /// not match or the download stopped.
    public func finish() throws {
        guard input.isStream else { return }
        if let inflater {
            while inflater.next().count > 0 {}
            if let failure = inflater.failure { throw LayerError.io(path: path, message: failure) }
        }
        // The inflating thread has ended: this thread is the input's only reader now.
        try input.drain()
    }

    /// The current entry's extended attributes (PAX `SCHILY.xattr.*` and `LIBARCHIVE.xattr.*`).
    public func xattrs() -> [String: [UInt8]] {
        guard let e = entry, archive_entry_xattr_reset(e) > 0 else { return [:] }
        var result: [String: [UInt8]] = [:]
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK {
            guard let name else { continue }
            result[String(cString: name)] = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        }
        return result
    }

    /// Copies the current entry's body into an open file.
    public func copyBody(into fd: Int32) throws {
        let rc = archive_read_data_into_fd(archive, fd)
        guard rc >= ARCHIVE_WARN else {
            throw LayerError.archive(operation: "read body", path: path, message: failure ?? String(cString: archive_error_string(archive)))
        }
    }

    /// Appends the current entry's body to the open file `fd` (named `file` in errors), contiguous:
    /// sparse regions are written as zeros, and a body that ends in a hole is padded to the size its
    /// header gives. Returns that size in bytes. Throws when the body is longer than its header says.
    public func appendBody(to fd: Int32, file: String, size expected: Int64, buffer: inout [UInt8]) throws -> Int64 {
        let total = try readBody(buffer: &buffer) { bytes in
            var written = 0
            while written < bytes.count {
                let w = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw LayerError.io(path: file, message: String(cString: strerror(errno)))
                }
                written += w
            }
        }
        try checkBodySize(total, expected)
        if total < expected, ftruncate(fd, lseek(fd, 0, SEEK_END) + off_t(expected - total)) != 0 {
            throw LayerError.io(path: file, message: String(cString: strerror(errno)))
        }
        return expected
    }

    /// Hands the current entry's body to `consume` in pieces of at most `buffer.count` bytes, sparse
    /// regions as zeros; then, when the body ends in a hole, the zeros up to `expected` (its header's
    /// size) too. Throws when the body is longer than `expected`, or what `consume` throws.
    public func streamBody(expected: Int64, buffer: inout [UInt8], _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        var total = try readBody(buffer: &buffer, consume)
        try checkBodySize(total, expected)
        if total < expected {
            buffer.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) }
            while total < expected {
                let n = Int(min(Int64(buffer.count), expected - total))
                try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                total += Int64(n)
            }
        }
    }

    /// The current entry's body through `buffer` into `consume`; returns its length in bytes.
    private func readBody(buffer: inout [UInt8], _ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var total: Int64 = 0
        var warnings = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0, n >= Int(ARCHIVE_WARN), warnings < 3 {
                // As `copyBody` accepts a warning, read on (a few times, not forever).
                warnings += 1
                continue
            }
            guard n > 0 else {
                throw LayerError.archive(operation: "read body", path: path, message: failure ?? String(cString: archive_error_string(archive)))
            }
            try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            total += Int64(n)
        }
        return total
    }

    private func checkBodySize(_ total: Int64, _ expected: Int64) throws {
        guard total <= expected else {
            throw LayerError.archive(operation: "read body", path: path, message: "an entry's body is \(total) bytes, longer than the \(expected) its header gives")
        }
    }

    /// Copies the current entry's body to `destination` (a new file).
    public func extractBody(to destination: String) throws {
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LayerError.io(path: destination, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        let rc = archive_read_data_into_fd(archive, fd)
        guard rc >= ARCHIVE_WARN else {
            throw LayerError.archive(operation: "read body", path: path, message: failure ?? String(cString: archive_error_string(archive)))
        }
    }
}

/// A buffer libarchive reads a stream through (it takes a pointer that stays valid until its next call).
private final class StreamFeed {
    static let size = 1 << 20
    let input: LayerInput
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: StreamFeed.size, alignment: 64)

    init(_ input: LayerInput) { self.input = input }
    deinit { buffer.deallocate() }
}
