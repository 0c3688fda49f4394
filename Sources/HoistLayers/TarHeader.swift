/// What a layer's tar says about one path, without its body.
public struct TarHeader: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable, Codable {
        case file
        case directory
        case symlink(target: String)
        /// A hard link to `target`, a path in the same layer.
        case hardlink(target: String)
        case other
    }

    /// Normalised path: relative, no `./`, no trailing `/`.
    public var path: String
    public var kind: Kind
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    public var size: Int64
    public var mtime: Int

    public init(path: String, kind: Kind, mode: UInt32, uid: Int, gid: Int, size: Int64, mtime: Int) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.mtime = mtime
    }

    public var isDirectory: Bool { kind == .directory }

    /// `./a/b/`, `/a/b` and `a/b` all name `a/b`; the root is "".
    public static func normalize(_ raw: String) -> String {
        var parts: [Substring] = []
        for part in raw.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}
