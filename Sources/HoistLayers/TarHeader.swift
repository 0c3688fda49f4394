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
        // Every header of every layer comes through here, and most are normal already (a layer of
        // 50,000 files spent a tenth of its COPY --from in the split and join below): one pass over
        // the bytes says so, and then the path is its own answer.
        if isNormal(raw) { return raw }
        var parts: [Substring] = []
        for part in raw.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    /// No leading or trailing `/`, no empty, `.` or `..` component.
    private static func isNormal(_ raw: String) -> Bool {
        raw.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let first = bytes.first, first != UInt8(ascii: "/"), bytes.last != UInt8(ascii: "/") else { return bytes.isEmpty }
            var start = 0
            for i in 0...bytes.count {
                guard i == bytes.count || bytes[i] == UInt8(ascii: "/") else { continue }
                let length = i - start
                if length == 0 { return false }
                if bytes[start] == UInt8(ascii: "."), length == 1 || (length == 2 && bytes[start + 1] == UInt8(ascii: ".")) { return false }
                start = i + 1
            }
            return true
        } ?? { raw.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." } && !raw.isEmpty }()
    }
}
