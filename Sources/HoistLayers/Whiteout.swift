/// AUFS-style whiteouts, as image-spec's layer.md defines them.
public enum Whiteout {
    public static let prefix = ".wh."
    public static let opaque = ".wh..wh..opq"

    /// For `dir/.wh.name`, the deleted path `dir/name`; nil for other paths and for the opaque marker.
    public static func deletedPath(_ path: String) -> String? {
        guard let name = deletedName(path) else { return nil }
        let (dir, _) = split(path)
        return dir.isEmpty ? name : dir + "/" + name
    }

    /// For `dir/.wh.NAME`, the bare `NAME` (`.` and `..` are not names a layer may delete).
    public static func deletedName(_ path: String) -> String? {
        guard mayBeWhiteout(path) else { return nil }
        let (_, base) = split(path)
        guard base.hasPrefix(prefix), base != opaque else { return nil }
        return String(base.dropFirst(prefix.count))
    }

    /// For `dir/.wh..wh..opq`, the directory `dir` whose lower contents are hidden.
    public static func opaqueDirectory(_ path: String) -> String? {
        guard mayBeWhiteout(path) else { return nil }
        let (dir, base) = split(path)
        return base == opaque ? dir : nil
    }

    /// Whether the last component starts with `.wh.`: every header of every layer is asked, and
    /// almost none is one, so the bytes are looked at before any string is made.
    static func mayBeWhiteout(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            var start = 0
            for i in bytes.indices where bytes[i] == UInt8(ascii: "/") { start = i + 1 }
            return bytes.count - start >= 4 && bytes[start] == UInt8(ascii: ".") && bytes[start + 1] == UInt8(ascii: "w")
                && bytes[start + 2] == UInt8(ascii: "h") && bytes[start + 3] == UInt8(ascii: ".")
        } ?? true
    }

    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}
