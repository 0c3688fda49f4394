import CSystem
import Foundation

/// A file's extended attributes, as layers keep them (file capabilities such as
/// `security.capability` above all). SELinux labels and overlayfs's own attributes describe the
/// build machine, not the image, and are left out. Used for COPY from the context and for the
/// upper directory of a RUN. Hoist's own attributes (overlayfs's, the rootless owner) are never kept.
public enum Xattrs {
    static func kept(_ name: String) -> Bool {
        name != "security.selinux" && !isOverlayfs(name) && name != UserNamespace.ownerAttribute
    }

    static func isOverlayfs(_ name: String) -> Bool { name.hasPrefix("trusted.overlay.") || name.hasPrefix("user.overlay.") }

    /// The owner an image gave a file that a rootless namespace could not map (see UserNamespace).
    public static func recordedOwner(_ path: String) -> (uid: Int, gid: Int)? {
        var value = [UInt8](repeating: 0, count: 32)
        let n = lgetxattr(path, UserNamespace.ownerAttribute, &value, value.count)
        guard n > 0 else { return nil }
        let parts = String(decoding: value[0..<n], as: UTF8.self).split(separator: ":").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// The kept attributes of `path` (not following a symlink); none on a filesystem without them.
    public static func read(_ path: String) -> [String: [UInt8]] {
        collect(list: { llistxattr(path, $0, $1) }, get: { lgetxattr(path, $0, $1, $2) }, keep: kept)
    }

    /// Every attribute of an open file but overlayfs's own (the rootless owner included): what a
    /// snapshot's file carries into a copy of it.
    public static func readForCopy(fd: Int32) -> [String: [UInt8]] {
        collect(list: { flistxattr(fd, $0, $1) }, get: { fgetxattr(fd, $0, $1, $2) }, keep: { !isOverlayfs($0) })
    }

    private static func collect(list: (UnsafeMutablePointer<CChar>?, Int) -> Int, get: (String, UnsafeMutableRawPointer?, Int) -> Int,
                                keep: (String) -> Bool) -> [String: [UInt8]] {
        let size = list(nil, 0)
        guard size > 0 else { return [:] }
        var names = [CChar](repeating: 0, count: size)
        let got = list(&names, size)
        guard got > 0 else { return [:] }
        var result: [String: [UInt8]] = [:]
        for raw in names[0..<got].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard keep(name) else { continue }
            let length = get(name, nil, 0)
            guard length >= 0 else { continue }  // removed meanwhile
            var value = [UInt8](repeating: 0, count: length)
            let n = get(name, &value, length)
            if n >= 0 { result[name] = Array(value[0..<n]) }
        }
        return result
    }
}
