import HoistDockerfile
import HoistLayers

/// `--chown=user[:group]` and `--chmod=octal`, with names looked up in the destination stage's
/// own `/etc/passwd` and `/etc/group` (read through its FilesystemView, only when a name is used).
enum Ownership {
    static func resolve(_ spec: String, in view: @autoclosure () -> FilesystemView, scratch: String) async throws -> (uid: Int, gid: Int) {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let user = parts[0]
        let group = parts.count > 1 ? parts[1] : nil
        if let uid = Int(user), group.map({ Int($0) != nil }) ?? true {
            return (uid, group.flatMap { Int($0) } ?? uid)
        }
        let v = view()
        var uid = Int(user)
        var primaryGID: Int?
        if uid == nil || group == nil {
            let passwd = try await v.readFile("/etc/passwd", scratch: scratch)
            guard let line = find(user, in: passwd, byID: uid != nil) else {
                throw OwnershipError.unknownUser(user)
            }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            uid = fields.count > 2 ? Int(fields[2]) : nil
            primaryGID = fields.count > 3 ? Int(fields[3]) : nil
            guard uid != nil else { throw OwnershipError.unknownUser(user) }
        }
        guard let group else { return (uid!, primaryGID ?? uid!) }
        if let gid = Int(group) { return (uid!, gid) }
        let groups = try await v.readFile("/etc/group", scratch: scratch)
        guard let line = find(group, in: groups, byID: false), let gid = Int(line.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).first ?? "") else {
            throw OwnershipError.unknownGroup(group)
        }
        return (uid!, gid)
    }

    private static func find(_ name: String, in file: [UInt8]?, byID: Bool) -> Substring? {
        guard let file else { return nil }
        let text = String(decoding: file, as: UTF8.self)
        return text.split(separator: "\n").first { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return byID ? (fields.count > 2 && fields[2] == name) : fields.first.map(String.init) == name
        }
    }

    /// `--chmod`: octal (`0755`, `644`) or symbolic (`u+x,go=r`).
    static func mode(_ spec: String) throws -> ModeChange {
        if !spec.isEmpty, spec.count <= 4, let value = UInt32(spec, radix: 8) { return .octal(value) }
        if let symbolic = SymbolicMode.parse(spec) { return .symbolic(symbolic) }
        throw OwnershipError.badMode(spec)
    }
}

/// What `--chmod` does to each copied entry.
enum ModeChange {
    case octal(UInt32)
    case symbolic(SymbolicMode)

    func apply(to mode: UInt32, isDirectory: Bool) -> UInt32 {
        switch self {
        case let .octal(m): m
        case let .symbolic(s): s.apply(to: mode, isDirectory: isDirectory)
        }
    }
}

enum OwnershipError: Error, CustomStringConvertible {
    case unknownUser(String)
    case unknownGroup(String)
    case badMode(String)

    var description: String {
        switch self {
        case let .unknownUser(u): "--chown: user \"\(u)\" is not in the stage's /etc/passwd; use a numeric uid or add the user first"
        case let .unknownGroup(g): "--chown: group \"\(g)\" is not in the stage's /etc/group; use a numeric gid"
        case let .badMode(m): "--chmod=\(m): expected an octal mode such as 755 or 0644, or a symbolic one such as u+x,go=r"
        }
    }
}
