import CSystem
import Foundation
import HoistLayers

/// Turns a RUN's overlayfs upper directory into layer entries: what the command created or
/// changed, with `.wh.NAME` for what it deleted and `.wh..wh..opq` for a directory it replaced.
/// Hard links inside the upper directory stay hard links. `excluded` paths (files the sandbox
/// itself provided, such as an /etc/hosts the image lacked) are left out. Without root, the owner a
/// base layer gave a file comes back from `user.hoist.owner` (see UserNamespace).
public enum UpperDiff {
    public static func entries(of upper: String, excluded: Set<String> = []) throws -> [LayerEntry] {
        var entries: [LayerEntry] = []
        var identities: [String: FileIdentity] = [:]
        try walk(upper, relative: "", excluded: excluded, into: &entries, identities: &identities)
        entries.linkSharedFiles(identities)
        return entries
    }

    private static func walk(_ directory: String, relative: String, excluded: Set<String>,
                             into entries: inout [LayerEntry], identities: inout [String: FileIdentity]) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            if excluded.contains(rel) { continue }
            var st = stat()
            guard lstat(path, &st) == 0 else { throw SandboxError.setup("\(path): \(String(cString: strerror(errno)))") }
            let mode = UInt32(st.st_mode) & 0o7777
            let mtime = Int(st.st_mtim.tv_sec)
            var uid = Int(st.st_uid), gid = Int(st.st_gid)
            if UserNamespace.isPartial, let owner = Xattrs.recordedOwner(path) { (uid, gid) = owner }
            switch st.st_mode & S_IFMT {
            case S_IFCHR where st.st_rdev == 0:
                // overlayfs's whiteout: the command deleted this path.
                let parent = (rel as NSString).deletingLastPathComponent
                let whiteout = parent.isEmpty ? ".wh." + name : parent + "/.wh." + name
                entries.append(LayerEntry(path: whiteout, kind: .file(source: "/dev/null", size: 0), mode: 0o644, mtime: mtime))
            case S_IFDIR:
                entries.append(LayerEntry(path: rel, kind: .directory, mode: mode, uid: uid, gid: gid, mtime: mtime, xattrs: Xattrs.read(path)))
                if isOpaque(path) {
                    entries.append(LayerEntry(path: rel + "/.wh..wh..opq", kind: .file(source: "/dev/null", size: 0), mode: 0o644, mtime: mtime))
                }
                try walk(path, relative: rel, excluded: excluded, into: &entries, identities: &identities)
            case S_IFREG:
                identities[rel] = FileIdentity(linked: st)
                entries.append(LayerEntry(path: rel, kind: .file(source: path, size: Int64(st.st_size)), mode: mode, uid: uid, gid: gid,
                                          mtime: mtime, xattrs: Xattrs.read(path)))
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(path, &buffer, buffer.count - 1)
                guard n >= 0 else { throw SandboxError.setup("\(path): \(String(cString: strerror(errno)))") }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                entries.append(LayerEntry(path: rel, kind: .symlink(target: target), mode: 0o777, uid: uid, gid: gid, mtime: mtime))
            default:
                continue  // sockets, fifos and devices a command made are not kept
            }
        }
    }

    private static func isOpaque(_ path: String) -> Bool {
        var value = [UInt8](repeating: 0, count: 4)
        let n = lgetxattr(path, UserNamespace.opaqueAttribute, &value, value.count)
        return n == 1 && value[0] == UInt8(ascii: "y")
    }
}
