import Foundation
import HoistContent

/// A layer blob's bytes, read front to back once: from a file, or from a `BlobStream` while the
/// download is still arriving (which gives its end only once the bytes match the digest). The
/// first bytes can be looked at before reading starts, to tell gzip from the rest.
public final class LayerInput: @unchecked Sendable {
    /// What errors name: the file's path, or what the stream is.
    public let label: String
    /// The file, when the bytes come from one (read by name when that is faster).
    let path: String?
    private let fd: Int32
    private let stream: BlobStream?
    /// Bytes looked at by `starts(with:)`, given out again before anything else.
    private var prefix: [UInt8] = []
    private var readFailure: String?

    /// Opens `path`. Throws `LayerError.io` when it cannot be opened.
    public init(path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LayerError.io(path: path, message: String(cString: strerror(errno))) }
        self.path = path
        label = path
        stream = nil
    }

    /// Reads `stream`; `label` names it in errors (the layer's digest).
    public init(stream: BlobStream, label: String) {
        fd = -1
        path = nil
        self.stream = stream
        self.label = label
    }

    deinit {
        if fd >= 0 { close(fd) }
        // A reader that stopped early needs no more bytes: the download stops too.
        stream?.stop("the layer's reader stopped before its end")
    }

    /// Copies up to `capacity` bytes into `buffer`: the count, 0 at the end, -1 on failure
    /// (`failure` says why).
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard prefix.isEmpty else {
            let n = min(capacity, prefix.count)
            prefix.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
            prefix.removeFirst(n)
            return n
        }
        return readSource(into: buffer, capacity: capacity)
    }

    private func readSource(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        if let stream { return stream.read(into: buffer, capacity: capacity) }
        while true {
            let n = Glibc.read(fd, buffer, capacity)
            if n < 0, errno == EINTR { continue }
            if n < 0 { readFailure = "reading \(label): \(String(cString: strerror(errno)))" }
            return n
        }
    }

    /// Whether the bytes start with `magic`; they are still read from the start afterwards.
    func starts(with magic: [UInt8]) -> Bool {
        var byte: UInt8 = 0
        while prefix.count < magic.count, readSource(into: &byte, capacity: 1) == 1 { prefix.append(byte) }
        return prefix.starts(with: magic)
    }

    /// Whether the bytes come from a download still arriving.
    var isStream: Bool { stream != nil }

    /// Why reading failed, if it did.
    var failure: String? { stream?.failure ?? readFailure }

    /// After the last header: reads on to the end, so a stream's bytes are checked against their
    /// digest before anything made from them is kept. Throws `LayerError.io` when they do not match.
    public func drain() throws {
        guard stream != nil else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(into: $0.baseAddress!, capacity: $0.count) }
            if n == 0 { return }
            if n < 0 { throw LayerError.io(path: label, message: failure ?? "the download stopped") }
        }
    }
}
