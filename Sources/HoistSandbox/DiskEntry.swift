import CSystem
import Foundation
import HoistLayers

/// A file a RUN left on disk, as a layer entry: its mode, owner (the recorded one in a rootless
/// namespace, see UserNamespace), mtime and kept xattrs. Shared by both ways of finding what a RUN
/// changed: overlayfs's upper directory (UpperDiff) and a before/after comparison (TreeDiff).
enum DiskEntry {
    static func lstat(_ path: String) throws -> stat {
        var st = stat()
        guard Glibc.lstat(path, &st) == 0 else { throw SandboxError.setup("\(path): \(String(cString: strerror(errno)))") }
        return st
    }

    /// The entry for a directory, regular file or symlink; nil for what layers do not keep
    /// (sockets, fifos and devices a command made).
    static func entry(at path: String, relative: String, _ st: stat) throws -> LayerEntry? {
        let mode = UInt32(st.st_mode) & 0o7777
        let mtime = Int(st.st_mtim.tv_sec)
        var uid = Int(st.st_uid), gid = Int(st.st_gid)
        if UserNamespace.isPartial, let owner = Xattrs.recordedOwner(path) { (uid, gid) = owner }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            return LayerEntry(path: relative, kind: .directory, mode: mode, uid: uid, gid: gid, mtime: mtime, xattrs: Xattrs.read(path))
        case S_IFREG:
            return LayerEntry(path: relative, kind: .file(source: path, size: Int64(st.st_size)), mode: mode, uid: uid, gid: gid,
                              mtime: mtime, xattrs: Xattrs.read(path))
        case S_IFLNK:
            return LayerEntry(path: relative, kind: .symlink(target: try linkTarget(path)), mode: 0o777, uid: uid, gid: gid, mtime: mtime)
        default:
            return nil
        }
    }

    /// Where the symlink `name` in `parent` (a path, by default) points.
    static func linkTarget(_ name: String, in parent: Int32 = AT_FDCWD) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(parent, name, &buffer, buffer.count - 1)
        guard n >= 0 else { throw SandboxError.setup("\(name): \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the directory at `path` hides what lower layers hold in it: overlayfs's opaque
    /// attribute, or (`markers`, in a snapshot whose filesystem could not hold that attribute)
    /// the layer's own `.wh..wh..opq` kept inside it.
    static func isOpaque(_ path: String, markers: Bool = false) -> Bool {
        var value = [UInt8](repeating: 0, count: 4)
        if lgetxattr(path, UserNamespace.opaqueAttribute, &value, value.count) == 1, value[0] == UInt8(ascii: "y") { return true }
        var st = stat()
        return markers && Glibc.lstat(path + "/" + Whiteout.opaque, &st) == 0
    }

    /// `.wh.NAME` next to `relative`: the layer deletes that path.
    static func whiteout(_ relative: String, mtime: Int) -> LayerEntry {
        let path: String
        if let slash = relative.lastIndex(of: "/") {
            path = relative[..<slash] + "/.wh." + relative[relative.index(after: slash)...]
        } else {
            path = ".wh." + relative
        }
        return LayerEntry(path: path, kind: .file(source: "/dev/null", size: 0), mode: 0o644, mtime: mtime)
    }

    /// `DIR/.wh..wh..opq`: the layer hides everything lower layers had in that directory.
    static func opaque(_ relative: String, mtime: Int) -> LayerEntry {
        LayerEntry(path: relative + "/.wh..wh..opq", kind: .file(source: "/dev/null", size: 0), mode: 0o644, mtime: mtime)
    }
}
