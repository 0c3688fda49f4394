import Foundation

/// Whether Hoist runs in a user namespace that maps only part of the ID space (the rootless case:
/// the caller's uid seen as root, and the caller's subordinate ranges, if any, as ids 1 and up).
/// There, files cannot be given to unmapped owners and overlayfs keeps its attributes under
/// `user.overlay.*`; ownership an image asks for that is not mapped is kept in the
/// `user.hoist.owner` attribute instead, and layers read it back from there.
public enum UserNamespace {
    public static let isPartial: Bool = {
        guard let text = try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8) else { return false }
        let fields = text.split(whereSeparator: \.isWhitespace)
        return !(fields.count == 3 && fields[0] == "0" && fields[1] == "0" && fields[2] == "4294967295")
    }()

    /// Whether ids other than root are mapped (the caller's subordinate ranges, /etc/subuid).
    public static var hasSubordinateIDs: Bool { uids.reduce(0) { $0 + $1.count } > 1 }

    /// Whether supplementary groups may be set (setgroups is denied when only the caller's gid is mapped).
    public static var canSetGroups: Bool {
        !isPartial || (try? String(contentsOfFile: "/proc/self/setgroups", encoding: .utf8))?.hasPrefix("allow") == true
    }

    /// `$HOIST_ROOT`'s directory of unpacked layers for this namespace: owners are stored
    /// differently when not all, or only some, ids are mapped, so each kind keeps its own.
    public static var snapshotDirectoryName: String {
        isPartial ? (hasSubordinateIDs ? "snapshots-subids" : "snapshots-userxattr") : "snapshots"
    }

    /// Every snapshot directory name `snapshotDirectoryName` may give.
    public static let snapshotDirectoryNames = ["snapshots", "snapshots-userxattr", "snapshots-subids"]

    /// The attribute that marks a directory opaque for the overlayfs Hoist mounts.
    public static var opaqueAttribute: String { isPartial ? "user.overlay.opaque" : "trusted.overlay.opaque" }

    /// Where the owner an image gave a file is kept when the namespace cannot map it ("uid:gid").
    public static let ownerAttribute = "user.hoist.owner"

    /// Whether `uid` and `gid` exist in this namespace (always, outside a partial one).
    public static func maps(uid: Int, gid: Int) -> Bool {
        guard isPartial else { return true }
        return uids.contains { $0.contains(uid) } && gids.contains { $0.contains(gid) }
    }

    private static let uids = ranges("/proc/self/uid_map")
    private static let gids = ranges("/proc/self/gid_map")

    /// The IDs inside the namespace that a map file gives ("inside outside count" per line).
    private static func ranges(_ file: String) -> [Range<Int>] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            return f.count == 3 ? f[0]..<(f[0] + f[2]) : nil
        }
    }
}
