import CSystem
import Foundation

/// Writes files under a root directory without ever leaving it: every path is walked one element
/// at a time with openat(O_NOFOLLOW), so a symlink written earlier (`etc -> /etc`) is never
/// followed, and `..` cannot occur (paths are normalised first).
public final class ContainedTree: @unchecked Sendable {
    private let rootFD: Int32
    public let root: String
    private let setOwners = geteuid() == 0
    private let recordUnmappedOwners: Bool
    /// Directories already walked to, by path below the root, so the entries of one directory (as
    /// a tar lists them) do not walk and mkdir every element again: a layer's 20,000 files cost
    /// about 20,000 opens, not 200,000 (and as many mkdirs). Cleared whenever a directory is removed or replaced.
    private var openDirectories: [String: Int32] = [:]

    /// `recordUnmappedOwners`: in a rootless namespace, keep an owner that cannot be set in the
    /// `user.hoist.owner` attribute (for snapshots, whose RUN layers read it back); otherwise such
    /// an owner is left unset, as it is when not running as root at all.
    public init(root: String, recordUnmappedOwners: Bool = false) throws {
        self.recordUnmappedOwners = recordUnmappedOwners
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw LayerError.io(path: root, message: String(cString: strerror(errno))) }
        self.root = root
    }

    deinit {
        forgetDirectories()
        close(rootFD)
    }

    private func forgetDirectories() {
        for fd in openDirectories.values { close(fd) }
        openDirectories.removeAll()
    }

    /// Removes `name` in `parent` (see `remove(_:in:)`), forgetting the walked directories when
    /// that took a directory away.
    private func removeEntry(_ name: String, in parent: Int32) {
        if Self.remove(name, in: parent) { forgetDirectories() }
    }

    /// Writes one merged-tree entry; `body` is the staged file for regular files. `xattrs` are set
    /// last (a chown would clear `security.capability`); overlayfs's and Hoist's own are never set.
    public func write(_ header: TarHeader, body: String?, xattrs: [String: [UInt8]] = [:]) throws {
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
            try finish(fd: fd, header, where_, xattrs: xattrs)
        case .file, .hardlink:
            guard let body else { throw LayerError.io(path: where_, message: "no content staged") }
            try writeFile(header, parent: parent, name: name, xattrs: xattrs) { out in
                let input = open(body, O_RDONLY | O_CLOEXEC)
                guard input >= 0 else { throw self.fail(body) }
                defer { close(input) }
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                    if n < 0 { if errno == EINTR { continue }; throw self.fail(body) }
                    if n == 0 { break }
                    guard buffer.withUnsafeBytes({ Glibc.write(out, $0.baseAddress, n) }) == n else { throw self.fail(where_) }
                }
            }
        case let .symlink(target):
            unlinkat(parent, name, 0)
            guard symlinkat(target, parent, name) == 0 else { throw fail(where_) }
            // A symlink's owner is kept where the namespace maps it; user attributes cannot go on links.
            if setOwners, UserNamespace.maps(uid: header.uid, gid: header.gid) {
                fchownat(parent, name, uid_t(header.uid), gid_t(header.gid), AT_SYMLINK_NOFOLLOW)
            }
        case .other:
            return
        }
    }

    /// A regular file whose bytes `content` writes into the open descriptor it is given.
    public func writeFile(_ header: TarHeader, xattrs: [String: [UInt8]] = [:], content: (Int32) throws -> Void) throws {
        let elements = TarHeader.normalize(header.path).split(separator: "/").map(String.init)
        guard let name = elements.last else { return }
        let parent = try directory(Array(elements.dropLast()))
        defer { if parent != rootFD { close(parent) } }
        try writeFile(header, parent: parent, name: name, xattrs: xattrs, content: content)
    }

    private func writeFile(_ header: TarHeader, parent: Int32, name: String, xattrs: [String: [UInt8]],
                           content: (Int32) throws -> Void) throws {
        let where_ = root + "/" + header.path
        removeEntry(name, in: parent)
        let out = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw fail(where_) }
        defer { close(out) }
        try content(out)
        try finish(fd: out, header, where_, xattrs: xattrs)
    }

    /// A hard link at `path` to `target`, both inside the root; a symlink on either path is never
    /// followed (linkat without AT_SYMLINK_FOLLOW links a symlink itself).
    public func link(_ path: String, to target: String) throws {
        let from = TarHeader.normalize(target).split(separator: "/").map(String.init)
        let to = TarHeader.normalize(path).split(separator: "/").map(String.init)
        guard let fromName = from.last, let toName = to.last else { throw LayerError.io(path: root + "/" + path, message: "a hard link to the root") }
        let fromParent = try directory(Array(from.dropLast()), create: false)
        defer { if fromParent != rootFD { close(fromParent) } }
        let toParent = try directory(Array(to.dropLast()))
        defer { if toParent != rootFD { close(toParent) } }
        removeEntry(toName, in: toParent)
        guard linkat(fromParent, fromName, toParent, toName, 0) == 0 else { throw fail(root + "/" + path + " → " + target) }
    }

    /// An overlayfs whiteout at `path`: a character device 0:0 that hides the lower layers' entry.
    public func whiteout(_ path: String) throws {
        let elements = TarHeader.normalize(path).split(separator: "/").map(String.init)
        guard let name = elements.last else { return }
        let parent = try directory(Array(elements.dropLast()))
        defer { if parent != rootFD { close(parent) } }
        removeEntry(name, in: parent)
        if mknodat(parent, name, S_IFCHR, 0) == 0 { return }
        // A filesystem that cannot hold a whiteout device (overlayfs itself, inside a container)
        // keeps the layer's own `.wh.NAME` marker; such a snapshot is only ever copied (SnapshotCopy).
        guard errno == EPERM || errno == EINVAL || errno == EOPNOTSUPP else { throw fail(root + "/" + path) }
        try writeMarker(Whiteout.prefix + name, in: parent, root + "/" + path)
    }

    private func writeMarker(_ name: String, in parent: Int32, _ path: String) throws {
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fail(path) }
        close(fd)
    }

    /// Marks `path` (a directory, made if missing) opaque for overlayfs: lower layers' contents are hidden.
    public func markOpaque(_ path: String) throws {
        let fd = try directory(TarHeader.normalize(path).split(separator: "/").map(String.init))
        defer { if fd != rootFD { close(fd) } }
        if fsetxattr(fd, UserNamespace.opaqueAttribute, "y", 1, 0) == 0 { return }
        // Where overlayfs's attribute is refused, the layer's `.wh..wh..opq` marker stays (see whiteout).
        guard errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP else { throw fail(root + "/" + path) }
        try writeMarker(Whiteout.opaque, in: fd, root + "/" + path)
    }

    /// Removes what is at `name` in `parent`: a file, a link, or a whole directory tree (a layer
    /// may replace a directory with a file). Never follows a symlink.
    /// Returns whether a directory was removed.
    @discardableResult
    public static func remove(_ name: String, in parent: Int32) -> Bool {
        if unlinkat(parent, name, 0) == 0 || errno == ENOENT { return false }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        for child in (try? names(in: fd)) ?? [] { remove(child, in: fd) }
        close(fd)
        unlinkat(parent, name, AT_REMOVEDIR)
        return true
    }

    /// The names in an open directory (the descriptor stays open and usable), sorted: readdir's
    /// order is the filesystem's.
    public static func names(in fd: Int32) throws -> [String] {
        let copy = dup(fd)
        guard copy >= 0 else { throw LayerError.io(path: "a directory", message: String(cString: strerror(errno))) }
        guard let dir = fdopendir(copy) else {
            close(copy)
            throw LayerError.io(path: "a directory", message: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        var result: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { result.append(name) }
        }
        return result.sorted()
    }

    /// The bytes of a small file inside the root, read without following a symlink anywhere on
    /// the way (an image's `/etc/passwd` that links to the host's `/etc/shadow` is not read); nil
    /// if it is absent, a link, or not a regular file.
    public func readFile(_ path: String, limit: Int = 4 << 20) -> [UInt8]? {
        let elements = TarHeader.normalize(path).split(separator: "/").map(String.init)
        guard let name = elements.last, let parent = try? directory(Array(elements.dropLast()), create: false) else { return nil }
        defer { if parent != rootFD { close(parent) } }
        let file = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let n = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return data
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
    private func directory(_ elements: [String], create: Bool = true) throws -> Int32 {
        guard !elements.isEmpty else { return rootFD }
        // A bounded number: several trees may be written at once under the open-files limit.
        if openDirectories.count > 128 { forgetDirectories() }
        var fd = rootFD
        var start = 0
        for count in stride(from: elements.count, to: 0, by: -1) {
            if let known = openDirectories[elements[..<count].joined(separator: "/")] {
                (fd, start) = (known, count)
                break
            }
        }
        for i in start..<elements.count {
            let element = elements[i]
            if create, mkdirat(fd, element, 0o755) != 0, errno != EEXIST { throw fail(root + "/" + elements.joined(separator: "/")) }
            let next = openat(fd, element, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                throw LayerError.io(path: root + "/" + elements.joined(separator: "/"),
                                    message: "is not a directory inside the root (a symlink here is never followed)")
            }
            openDirectories[elements[...i].joined(separator: "/")] = next
            fd = next
        }
        // The caller closes what it gets; the walked directories stay open here.
        let copy = dup(fd)
        guard copy >= 0 else { throw fail(root + "/" + elements.joined(separator: "/")) }
        return copy
    }

    private func finish(fd: Int32, _ header: TarHeader, _ path: String, xattrs: [String: [UInt8]] = [:]) throws {
        if setOwners {
            if UserNamespace.maps(uid: header.uid, gid: header.gid) {
                guard fchown(fd, uid_t(header.uid), gid_t(header.gid)) == 0 else { throw fail(path) }
            } else if recordUnmappedOwners {
                let owner = "\(header.uid):\(header.gid)"
                guard fsetxattr(fd, UserNamespace.ownerAttribute, owner, owner.utf8.count, 0) == 0 else { throw fail(path) }
            }
        }
        guard fchmod(fd, mode_t(header.mode & 0o7777)) == 0 else { throw fail(path) }
        for (name, value) in xattrs.sorted(by: { $0.key < $1.key }) where Xattrs.kept(name) {
            // Best effort where the filesystem or namespace refuses one (security.* without root).
            if fsetxattr(fd, name, value, value.count, 0) != 0, errno != EPERM, errno != ENOTSUP, errno != EOPNOTSUPP { throw fail(path) }
        }
        var times = [timespec(tv_sec: time_t(header.mtime), tv_nsec: 0), timespec(tv_sec: time_t(header.mtime), tv_nsec: 0)]
        futimens(fd, &times)
    }

    private func fail(_ path: String) -> LayerError { LayerError.io(path: path, message: String(cString: strerror(errno))) }
}
