import HoistLayers

/// One thing a COPY places, relative to where its source was found, before the destination is applied.
struct CopyItem: Sendable {
    enum Kind: Sendable {
        /// `size` bytes of the file `body`, from byte `offset` (not 0 for a body in a `BodyPack`).
        case file(body: String, size: Int64, offset: Int64 = 0)
        case directory
        case symlink(target: String)
    }

    /// Path below the source root; "" is the source itself.
    var relative: String
    var kind: Kind
    var mode: UInt32
    var uid: Int
    var gid: Int
    var mtime: Int
    var xattrs: [String: [UInt8]] = [:]
    /// A directory only implied by the source (an archive's entry `a/b/c` without `a/b`): made when
    /// the stage lacks it, left as the stage has it otherwise, as unpacking on disk does.
    var onlyIfMissing = false
    /// Device and inode of a context file with more than one link: two items with the same
    /// identity in one COPY are written as a file and a hard link to it, as BuildKit does.
    var linkIdentity: FileIdentity? = nil
}

/// A COPY source after matching: its base name and what it contains.
struct CopyMatch: Sendable {
    /// Whether a source word (or one component of it) holds a wildcard (`*`, `?`, `[`), which
    /// matches names in its directory instead of naming one.
    static func isWildcard(_ word: some StringProtocol) -> Bool {
        word.contains { "*?[".contains($0) }
    }

    var name: String
    /// The source's path below its root (`a/b/c.txt`), which `--parents` keeps under the destination.
    var sourcePath: String = ""
    var isDirectory: Bool
    /// For a file: one item with relative "". For a directory: its descendants (not itself).
    var items: [CopyItem]
    /// Fetched by ADD from a URL or git: not unpacked unless `--unpack=true`.
    var isRemote = false
    /// For ADD of a URL or git repository: what was fetched (URL and sha256, remote and commit), for provenance.
    var origin: ResolvedDependency?
}
