/// `RUN --mount=type=…,…`, with BuildKit's keys and defaults.
public struct MountSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case bind, cache, tmpfs, secret, ssh }
    public enum Sharing: String, Sendable { case shared, `private`, locked }

    public var type: Kind = .bind
    public var target: String?
    public var source: String?
    /// A stage or image to mount from (bind and cache).
    public var from: String?
    public var readOnly: Bool?
    public var id: String?
    public var sharing: Sharing = .shared
    public var mode: UInt32?
    public var uid: Int?
    public var gid: Int?
    public var required = false
    public var size: Int64?
    /// secret: expose as this environment variable.
    public var env: String?

    public init() {}

    /// Parses the CSV value of one `--mount` flag.
    public init(parsing text: String) throws {
        var fields: [(String, String?)] = []
        for field in text.split(separator: ",", omittingEmptySubsequences: true) {
            let kv = field.split(separator: "=", maxSplits: 1).map(String.init)
            fields.append((kv[0].lowercased(), kv.count > 1 ? kv[1] : nil))
        }
        if let t = fields.first(where: { $0.0 == "type" })?.1 {
            guard let kind = Kind(rawValue: t.lowercased()) else { throw MountSpecError("unsupported mount type \"\(t)\" (use bind, cache, tmpfs, secret or ssh)") }
            type = kind
        }
        func bool(_ key: String, _ value: String?) throws -> Bool {
            switch value?.lowercased() {
            case nil, "true", "1": return true
            case "false", "0": return false
            case let v?: throw MountSpecError("\(key)=\(v): expected true or false")
            }
        }
        func int(_ key: String, _ value: String?, radix: Int = 10) throws -> Int {
            guard let value, let n = Int(value, radix: radix), n >= 0 else { throw MountSpecError("\(key)=\(value ?? ""): expected a number") }
            return n
        }
        for (key, value) in fields {
            switch key {
            case "type": break
            case "target", "dst", "destination", "dest": target = value
            case "source", "src": source = value
            case "from": from = value
            case "readonly", "ro", "readonly-recursive": readOnly = try bool(key, value)
            case "rw", "readwrite": readOnly = !(try bool(key, value))
            case "id": id = value
            case "sharing":
                guard let v = value, let s = Sharing(rawValue: v.lowercased()) else { throw MountSpecError("sharing=\(value ?? ""): use shared, private or locked") }
                sharing = s
            case "mode": mode = UInt32(try int(key, value, radix: 8))
            case "uid": uid = try int(key, value)
            case "gid": gid = try int(key, value)
            case "required": required = try bool(key, value)
            case "size": size = Int64(try int(key, value))
            case "env": env = value
            default: throw MountSpecError("unexpected key \"\(key)\" in --mount=\(text)")
            }
        }
        if target == nil, type != .secret, type != .ssh {
            throw MountSpecError("--mount=\(text): a \(type.rawValue) mount needs target=PATH")
        }
        if type == .secret, id == nil, target == nil, env == nil {
            throw MountSpecError("--mount=\(text): a secret mount needs id=, target= or env=")
        }
    }
}

public struct MountSpecError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
