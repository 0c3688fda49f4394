import HoistDockerfile
import HoistLayers

/// Where COPY puts things, by BuildKit's rules: a destination ending in `/` (or `.`), or one that
/// receives several sources, is a directory and each source lands inside it under its own name;
/// a directory source copies its contents; otherwise a single file is written at the destination.
struct CopyDestination {
    /// Absolute destination, as a relative image path (`src/app.txt`; "" is the root).
    var path: String
    var isDirectory: Bool
    /// Whether the destination already is a directory in the stage: then its metadata is kept.
    var exists = false
    /// Directories above the destination that the stage lacks; the layer creates them.
    var missingParents: [String] = []

    init(_ raw: String, workingDirectory: String) {
        let absolute = raw.hasPrefix("/") ? raw : workingDirectory + "/" + raw
        path = TarHeader.normalize(absolute)
        isDirectory = raw.hasSuffix("/") || raw == "." || raw.hasSuffix("/.") || path.isEmpty
    }

    /// Several sources (or a wildcard that matched several) need a directory destination.
    static func requireDirectory(_ raw: String, isDirectory: Bool, sources: Int) throws {
        if sources > 1, !isDirectory { throw StageError.severalSourcesNeedADirectory(destination: raw) }
    }

    /// Follows the destination through the stage's files, as BuildKit does: a symlinked directory
    /// in the base is written through (`/usr/lib` → `/lib`), an existing directory receives a single
    /// file source under its own name, and missing parents are noted for the layer.
    mutating func resolve(in view: FilesystemView) async throws {
        let target = try await view.writeTarget(path)
        path = target.path
        missingParents = target.missingParents
        if let existing = target.existing, existing.isDirectory {
            exists = true
            isDirectory = true
        }
    }

    /// `COPY --link`: the layer is made on an empty root, as BuildKit 0.25 makes it, so the stage's
    /// files are not consulted: every parent of the destination is a directory of the layer (0755,
    /// owned by the --chown user), which replaces the stage's own when the layers are merged.
    mutating func resolveLinked() {
        let parts = path.split(separator: "/").map(String.init)
        missingParents = (0..<max(0, parts.count - 1)).map { parts[0...$0].joined(separator: "/") }
        exists = false
    }

    /// Turns matched sources into layer entries. `owner` overrides uid/gid (--chown); `mode`
    /// overrides permission bits (--chmod): an octal one also gives the directories COPY creates
    /// their permission bits, as fsutil's MkdirAll does in BuildKit 0.25 (a symbolic one leaves them
    /// 0755); `createdTime` stamps directories COPY creates.
    /// With `parents`, each source keeps its path below its root under the destination (`--parents`).
    func entries(for matches: [CopyMatch], owner: (uid: Int, gid: Int)?, mode: ModeChange?, createdTime: Int, parents: Bool = false) -> [LayerEntry] {
        var result: [String: LayerEntry] = [:]
        var identities: [String: FileIdentity] = [:]
        func place(_ item: CopyItem, at path: String) {
            guard !path.isEmpty else { return }
            if let identity = item.linkIdentity { identities[path] = identity }
            result[path] = entry(for: item, at: path, owner: owner, mode: mode)
        }
        let createdMode: UInt32 = if case let .octal(bits)? = mode { bits & 0o777 } else { 0o755 }
        func createDirectory(_ path: String) {
            guard !path.isEmpty, result[path] == nil, !(exists && path == self.path) else { return }
            result[path] = LayerEntry(path: path, kind: .directory, mode: createdMode, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mtime: createdTime)
        }
        for parent in missingParents { createDirectory(parent) }
        for match in matches {
            // --parents: the directories between the destination and the source are made too.
            let kept = parents ? match.sourcePath : ""
            if parents {
                var prefix = path
                for element in kept.split(separator: "/").dropLast() {
                    createDirectory(prefix)
                    prefix = join(prefix, String(element))
                }
                createDirectory(prefix)
            }
            if match.isDirectory {
                createDirectory(path(of: "", in: match, parents: parents))
                for item in match.items { place(item, at: path(of: item.relative, in: match, parents: parents)) }
            } else if let item = match.items.first {
                if isDirectory { createDirectory(path) }
                place(item, at: parents ? join(path, kept) : (isDirectory ? join(path, match.name) : path))
            }
        }
        // Hard links within one COPY stay hard links.
        var entries = Array(result.values)
        entries.linkSharedFiles(identities)
        return entries
    }

    /// Where the item at `relative` below the directory source `match` goes ("": the directory itself).
    func path(of relative: String, in match: CopyMatch, parents: Bool) -> String {
        join(join(path, parents ? match.sourcePath : ""), relative)
    }

    /// The entry `item` becomes at `path` (not ""), with --chown's `owner` and --chmod's `mode`.
    func entry(for item: CopyItem, at path: String, owner: (uid: Int, gid: Int)?, mode: ModeChange?) -> LayerEntry {
        let kind: LayerEntry.Kind
        switch item.kind {
        case let .file(body, size, offset): kind = .file(source: body, size: size, offset: offset)
        case .directory: kind = .directory
        case let .symlink(target): kind = .symlink(target: target)
        }
        let isLink: Bool = { if case .symlink = item.kind { true } else { false } }()
        let isDirectory: Bool = { if case .directory = item.kind { true } else { false } }()
        // A directory an archive only implies is made root-owned, whatever --chown says, as BuildKit unpacks.
        let owner = item.onlyIfMissing ? nil : owner
        return LayerEntry(path: path, kind: kind, mode: isLink ? 0o777 : (mode?.apply(to: item.mode, isDirectory: isDirectory) ?? item.mode),
                          uid: owner?.uid ?? item.uid, gid: owner?.gid ?? item.gid, mtime: item.mtime, xattrs: item.xattrs)
    }

    private func join(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : (b.isEmpty ? a : a + "/" + b)
    }
}
