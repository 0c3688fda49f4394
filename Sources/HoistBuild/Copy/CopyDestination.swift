import HoistDockerfile
import HoistLayers

/// Where COPY puts things, by BuildKit's rules: a destination ending in `/` (or `.`), or one that
/// receives several sources, is a directory and each source lands inside it under its own name;
/// a directory source copies its contents; otherwise a single file is written at the destination.
struct CopyDestination {
    /// Absolute destination, as a relative image path (`src/app.txt`; "" is the root).
    var path: String
    var isDirectory: Bool

    init(_ raw: String, workingDirectory: String, sourceCount: Int, location: SourceLocation) throws {
        let absolute = raw.hasPrefix("/") ? raw : workingDirectory + "/" + raw
        path = TarHeader.normalize(absolute)
        isDirectory = raw.hasSuffix("/") || raw == "." || raw.hasSuffix("/.") || path.isEmpty
        if sourceCount > 1, !isDirectory {
            throw BuildError.at(location, "when COPY has more than one source the destination must be a directory and end with a /: write \(raw)/")
        }
    }

    /// Turns matched sources into layer entries. `owner` overrides uid/gid (--chown); `mode`
    /// overrides permission bits (--chmod); `createdTime` stamps directories COPY creates.
    /// With `parents`, each source keeps its path below its root under the destination (`--parents`).
    func entries(for matches: [CopyMatch], owner: (uid: Int, gid: Int)?, mode: ModeChange?, createdTime: Int, parents: Bool = false) -> [LayerEntry] {
        var result: [String: LayerEntry] = [:]
        func place(_ item: CopyItem, at path: String) {
            guard !path.isEmpty else { return }
            let kind: LayerEntry.Kind
            switch item.kind {
            case let .file(body, size): kind = .file(source: body, size: size)
            case .directory: kind = .directory
            case let .symlink(target): kind = .symlink(target: target)
            }
            let isLink: Bool = { if case .symlink = item.kind { true } else { false } }()
            let isDirectory: Bool = { if case .directory = item.kind { true } else { false } }()
            result[path] = LayerEntry(path: path, kind: kind, mode: isLink ? 0o777 : (mode?.apply(to: item.mode, isDirectory: isDirectory) ?? item.mode),
                                      uid: owner?.uid ?? item.uid, gid: owner?.gid ?? item.gid, mtime: item.mtime)
        }
        func createDirectory(_ path: String) {
            guard !path.isEmpty, result[path] == nil else { return }
            result[path] = LayerEntry(path: path, kind: .directory, mode: 0o755, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, mtime: createdTime)
        }
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
                let base = join(path, kept)
                createDirectory(base)
                for item in match.items { place(item, at: join(base, item.relative)) }
            } else if let item = match.items.first {
                if isDirectory { createDirectory(path) }
                place(item, at: parents ? join(path, kept) : (isDirectory ? join(path, match.name) : path))
            }
        }
        return Array(result.values)
    }

    private func join(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : (b.isEmpty ? a : a + "/" + b)
    }
}
