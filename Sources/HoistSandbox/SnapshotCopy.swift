import CSystem
import Foundation
import HoistLayers

/// Where overlayfs cannot be mounted, a stage's root filesystem is a real directory: each
/// snapshot (overlayfs format, bottom first) is copied onto it, a 0:0 character device deleting
/// what it names and an opaque directory emptying what was there (or the layer's own `.wh.`
/// markers, where the snapshot's filesystem could hold neither). Every step goes through
/// directory descriptors opened with O_NOFOLLOW, so a symlink an earlier layer left is replaced,
/// never followed. Hard links within a snapshot stay hard links.
enum SnapshotCopy {
    static func apply(_ snapshot: String, onto root: String) throws {
        let source = try openDirectory(AT_FDCWD, snapshot)
        defer { close(source) }
        let target = try openDirectory(AT_FDCWD, root)
        defer { close(target) }
        var copied: [FileIdentity: String] = [:]
        try copyChildren(from: source, to: target, rootFD: target, relative: "", root: root, copied: &copied)
    }

    private static func copyChildren(from source: Int32, to target: Int32, rootFD: Int32, relative: String, root: String,
                                     copied: inout [FileIdentity: String]) throws {
        let names = try ContainedTree.names(in: source)
        // Markers a snapshot kept where its filesystem could not hold overlayfs's own (LayerExtractor).
        if names.contains(Whiteout.opaque) { for child in try ContainedTree.names(in: target) { ContainedTree.remove(child, in: target) } }
        for name in names {
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard fstatat(source, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure(root + "/" + rel) }
            if st.st_mode & S_IFMT == S_IFREG, name.hasPrefix(Whiteout.prefix) {
                if name != Whiteout.opaque { ContainedTree.remove(String(name.dropFirst(Whiteout.prefix.count)), in: target) }
                continue
            }
            var existing = stat()
            let exists = fstatat(target, name, &existing, AT_SYMLINK_NOFOLLOW) == 0
            switch st.st_mode & S_IFMT {
            case S_IFCHR where st.st_rdev == 0:
                ContainedTree.remove(name, in: target)
            case S_IFDIR:
                if exists, existing.st_mode & S_IFMT != S_IFDIR { ContainedTree.remove(name, in: target) }
                if mkdirat(target, name, 0o700) != 0, errno != EEXIST { throw failure(root + "/" + rel) }
                let from = try openDirectory(source, name)
                defer { close(from) }
                let to = try openDirectory(target, name)
                defer { close(to) }
                if isOpaque(from) { for child in try ContainedTree.names(in: to) { ContainedTree.remove(child, in: to) } }
                try copyChildren(from: from, to: to, rootFD: rootFD, relative: rel, root: root, copied: &copied)
                try copyMetadata(from: from, to: to, st, root + "/" + rel)
            case S_IFREG:
                if exists { ContainedTree.remove(name, in: target) }
                let identity = FileIdentity(linked: st)
                if let identity, let first = copied[identity] {
                    guard linkat(rootFD, first, target, name, 0) == 0 else { throw failure(root + "/" + rel) }
                    continue
                }
                let from = openat(source, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                guard from >= 0 else { throw failure(root + "/" + rel) }
                defer { close(from) }
                let to = openat(target, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard to >= 0 else { throw failure(root + "/" + rel) }
                defer { close(to) }
                try copyBytes(from: from, to: to, size: Int(st.st_size), root + "/" + rel)
                try copyMetadata(from: from, to: to, st, root + "/" + rel)
                if let identity { copied[identity] = rel }
            case S_IFLNK:
                if exists { ContainedTree.remove(name, in: target) }
                let link = try DiskEntry.linkTarget(name, in: source)
                guard symlinkat(link, target, name) == 0 else { throw failure(root + "/" + rel) }
                if geteuid() == 0 { fchownat(target, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) }
                var times = [st.st_atim, st.st_mtim]
                utimensat(target, name, &times, AT_SYMLINK_NOFOLLOW)
            default:
                continue  // LayerExtractor never writes sockets, fifos or devices
            }
        }
    }

    private static func copyBytes(from: Int32, to: Int32, size: Int, _ path: String) throws {
        var left = size
        while left > 0 {
            let n = hoist_copy_file_range(from, to, left)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            left -= n
        }
        guard left > 0 else { return }
        // copy_file_range refused (another filesystem, an old kernel): plain reads and writes.
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw failure(path) }
            if n == 0 { return }
            guard buffer.withUnsafeBytes({ write(to, $0.baseAddress, n) }) == n else { throw failure(path) }
        }
    }

    /// Owner (where it can be set), mode, kept attributes (with a rootless recorded owner) and times.
    private static func copyMetadata(from: Int32, to: Int32, _ st: stat, _ path: String) throws {
        if geteuid() == 0 { fchown(to, st.st_uid, st.st_gid) }
        guard fchmod(to, st.st_mode & 0o7777) == 0 else { throw failure(path) }
        for (name, value) in Xattrs.readForCopy(fd: from) { fsetxattr(to, name, value, value.count, 0) }
        var times = [st.st_atim, st.st_mtim]
        futimens(to, &times)
    }

    private static func isOpaque(_ fd: Int32) -> Bool {
        var value = [UInt8](repeating: 0, count: 4)
        return fgetxattr(fd, UserNamespace.opaqueAttribute, &value, value.count) == 1 && value[0] == UInt8(ascii: "y")
    }

    static func openDirectory(_ parent: Int32, _ name: String) throws -> Int32 {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw failure(name) }
        return fd
    }

    private static func failure(_ path: String) -> SandboxError {
        SandboxError.setup("copying the stage's layers: \(path): \(String(cString: strerror(errno)))")
    }
}
