import Foundation
import HoistLayers

/// USER as a RUN sees it: `name|uid[:group|gid]` resolved against the stage's own /etc/passwd and
/// /etc/group, with the supplementary groups that list the user, as runc resolves it.
public struct ResolvedUser: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]
    /// The home directory from /etc/passwd, for a RUN without HOME ("/" when unknown, as runc does).
    public var home = "/"

    public static func resolve(_ spec: String, root: String) throws -> ResolvedUser {
        if spec.isEmpty { return try resolve("root", root: root, allowMissingRoot: true) }
        return try resolve(spec, root: root, allowMissingRoot: false)
    }

    private static func resolve(_ spec: String, root: String, allowMissingRoot: Bool) throws -> ResolvedUser {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let passwd = table(root, "/etc/passwd")
        let groupTable = table(root, "/etc/group")
        var uid: UInt32
        var gid: UInt32 = 0
        var name: String?
        var home = "/"
        if let number = UInt32(parts[0]) {
            uid = number
            if let entry = passwd.first(where: { $0.count > 3 && $0[2] == parts[0] }) {
                name = entry[0]
                gid = UInt32(entry[3]) ?? 0
                if entry.count > 5, !entry[5].isEmpty { home = entry[5] }
            }
        } else if let entry = passwd.first(where: { $0.count > 3 && $0[0] == parts[0] }), let id = UInt32(entry[2]) {
            uid = id
            gid = UInt32(entry[3]) ?? 0
            name = entry[0]
            if entry.count > 5, !entry[5].isEmpty { home = entry[5] }
        } else if allowMissingRoot {
            return ResolvedUser(uid: 0, gid: 0, groups: [], home: "/root")
        } else {
            throw SandboxError.unknownUser(parts[0])
        }
        if parts.count > 1 {
            if let number = UInt32(parts[1]) {
                gid = number
            } else if let entry = groupTable.first(where: { $0.count > 2 && $0[0] == parts[1] }), let id = UInt32(entry[2]) {
                gid = id
            } else {
                throw SandboxError.unknownGroup(parts[1])
            }
        }
        var groups: [UInt32] = [gid]
        if let name {
            for entry in groupTable where entry.count > 3 && entry[3].split(separator: ",").contains(Substring(name)) {
                if let id = UInt32(entry[2]), !groups.contains(id) { groups.append(id) }
            }
        }
        return ResolvedUser(uid: uid, gid: gid, groups: groups, home: home)
    }

    private static func table(_ root: String, _ path: String) -> [[String]] {
        guard let bytes = (try? ContainedTree(root: root))?.readFile(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
