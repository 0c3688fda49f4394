import Foundation

/// Writes files under a root directory without ever leaving it: every path is walked one element
/// at a time with openat(O_NOFOLLOW), so a symlink written earlier (`etc -> /etc`) is never
/// followed, and `..` cannot occur (paths are normalised first).
public final class ContainedTree: @unchecked Sendable {
    private let rootFD: Int32
    public let root: String
    private let setOwners = geteuid() == 0

    public init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw LayerError.io(path: root, message: String(cString: strerror(errno))) }
        self.root = root
    }

    deinit { close(rootFD) }

    /// Writes one merged-tree entry; `body` is the staged file for regular files.
    public func write(_ header: TarHeader, body: String?) throws {
        let elements = TarHeader.normalize(header.path).split(separator: "/").map(String.init)
        guard let name = elements.last else { return }
        let parent = try directory(Array(elements.dropLast()))
        defer { if parent != rootFD { close(parent) } }
        let where_ = root + "/" + header.path
        switch header.kind {
        case .directory:
            if mkdirat(parent, name, 0o700) != 0, errno != EEXIST { throw fail(where_) }
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw fail(where_) }
            defer { close(fd) }
            try finish(fd: fd, header, where_)
        case .file, .hardlink:
            guard let body else { throw LayerError.io(path: where_, message: "no content staged") }
            unlinkat(parent, name, 0)
            let out = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard out >= 0 else { throw fail(where_) }
            defer { close(out) }
            let input = open(body, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw fail(body) }
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw fail(body) }
                if n == 0 { break }
                guard buffer.withUnsafeBytes({ Glibc.write(out, $0.baseAddress, n) }) == n else { throw fail(where_) }
            }
            try finish(fd: out, header, where_)
        case let .symlink(target):
            unlinkat(parent, name, 0)
            guard symlinkat(target, parent, name) == 0 else { throw fail(where_) }
            if setOwners { fchownat(parent, name, uid_t(header.uid), gid_t(header.gid), AT_SYMLINK_NOFOLLOW) }
        case .other:
            return
        }
    }

    /// Sets directories' times once everything inside them is written (writing a file changes its
    /// directory's mtime).
    public func settleDirectoryTimes(_ headers: [TarHeader]) throws {
        for header in headers.reversed() where header.isDirectory {
            let fd = try directory(TarHeader.normalize(header.path).split(separator: "/").map(String.init))
            defer { if fd != rootFD { close(fd) } }
            var times = [timespec(tv_sec: time_t(header.mtime), tv_nsec: 0), timespec(tv_sec: time_t(header.mtime), tv_nsec: 0)]
            futimens(fd, &times)
        }
    }

    /// The directory `elements` below the root, made if missing (0755), never through a symlink.
    private func directory(_ elements: [String]) throws -> Int32 {
        var fd = rootFD
        for element in elements {
            if mkdirat(fd, element, 0o755) != 0, errno != EEXIST { throw fail(root + "/" + elements.joined(separator: "/")) }
            let next = openat(fd, element, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd != rootFD { close(fd) }
            guard next >= 0 else {
                throw LayerError.io(path: root + "/" + elements.joined(separator: "/"),
                                    message: "is not a directory inside the root (a symlink here is never followed)")
            }
            fd = next
        }
        return fd
    }

    private func finish(fd: Int32, _ header: TarHeader, _ path: String) throws {
        if setOwners, fchown(fd, uid_t(header.uid), gid_t(header.gid)) != 0 { throw fail(path) }
        guard fchmod(fd, mode_t(header.mode & 0o7777)) == 0 else { throw fail(path) }
        var times = [timespec(tv_sec: time_t(header.mtime), tv_nsec: 0), timespec(tv_sec: time_t(header.mtime), tv_nsec: 0)]
        futimens(fd, &times)
    }

    private func fail(_ path: String) -> LayerError { LayerError.io(path: path, message: String(cString: strerror(errno))) }
}
