/// The headers of one layer, by path, with its whiteouts and opaque directories: enough to answer
/// "what is at P" without touching bodies.
public struct LayerIndex: Sendable, Codable, Equatable {
    public var entries: [String: TarHeader] = [:]
    /// Paths this layer deletes from the layers below.
    public var whiteouts: Set<String> = []
    /// Directories whose contents in the layers below are hidden.
    public var opaqueDirectories: Set<String> = []
    /// Parents of entries that have no entry of their own in this layer.
    public var implicitDirectories: Set<String> = []

    public init() {}

    /// Reads every header of the layer at `path` (bodies are skipped, not decompressed twice).
    public init(reading path: String) throws {
        try self.init(reading: LayerInput(path: path))
    }

    /// Reads every header of `input`; a download still arriving is indexed as its bytes come, and
    /// the index is returned only once they matched their digest (throws `LayerError.io` if not).
    public init(reading input: LayerInput) throws {
        let reader = try TarReader(input: input)
        while let header = try reader.next() { add(header) }
        try reader.finish()
        settle()
    }

    /// Takes in the layer's next header (in archive order: a later entry for a path replaces an earlier one).
    public mutating func add(_ header: TarHeader) {
        if let deleted = Whiteout.deletedPath(header.path) {
            whiteouts.insert(deleted)
        } else if let dir = Whiteout.opaqueDirectory(header.path) {
            opaqueDirectories.insert(dir)
        } else if !header.path.isEmpty {
            entries[header.path] = header
        }
    }

    /// After the last header: notes the parents that have no entry of their own.
    public mutating func settle() {
        for path in entries.keys {
            var p = Substring(path)
            while let slash = p.lastIndex(of: "/") {
                p = p[..<slash]
                let parent = String(p)
                if entries[parent] != nil || !implicitDirectories.insert(parent).inserted { break }
            }
        }
    }

    /// Whether this layer hides `path` (or an ancestor of it) in the layers below.
    func hides(_ path: String) -> Bool {
        if whiteouts.contains(path) { return true }
        var p = Substring(path)
        while let slash = p.lastIndex(of: "/") {
            p = p[..<slash]
            let ancestor = String(p)
            if whiteouts.contains(ancestor) || opaqueDirectories.contains(ancestor) { return true }
            if let e = entries[ancestor], !e.isDirectory { return true }
        }
        return opaqueDirectories.contains("") && !path.isEmpty
    }
}
