import Foundation
import HoistDockerfile
import HoistLayers

/// COPY sources from the build context directory. Nothing outside the context is ever read:
/// `..` that climbs out and symlinks that resolve outside are refused.
struct ContextSource {
    let root: String
    let realRoot: String
    /// Paths `.dockerignore` leaves out: COPY neither finds nor walks into them.
    let ignore: DockerIgnore

    init(directory: String, ignore: DockerIgnore = DockerIgnore(parsing: "")) throws {
        self.ignore = ignore
        guard let real = realpath(directory, nil) else {
            throw BuildError.context("build context \(directory) does not exist or cannot be read")
        }
        realRoot = String(cString: real)
        free(real)
        root = directory
    }

    func match(_ source: String) throws -> [CopyMatch] {
        let candidates = try expandGlobs(try components(source))
        return try candidates.map { try load($0, original: source) }
    }

    /// `source`'s path components below the context root; `..` may not climb out of it.
    private func components(_ source: String) throws -> [String] {
        var parts: [String] = []
        for part in source.split(separator: "/") where part != "." {
            if part == ".." {
                guard parts.popLast() != nil else { throw ContextError.outside(source) }
            } else {
                parts.append(String(part))
            }
        }
        return parts
    }

    /// Paths (relative, component lists) matching `parts`, where components may hold * ? [ ].
    private func expandGlobs(_ parts: [String]) throws -> [[String]] {
        var results: [[String]] = [[]]
        for part in parts {
            guard CopyMatch.isWildcard(part) else {
                results = results.map { $0 + [part] }
                continue
            }
            var next: [[String]] = []
            for prefix in results {
                let dir = ([realRoot] + prefix).joined(separator: "/")
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
                for name in names where fnmatch(part, name, FNM_PERIOD) == 0 && !ignore.excludes((prefix + [name]).joined(separator: "/")) {
                    next.append(prefix + [name])
                }
            }
            results = next
        }
        return results
    }

    private func load(_ parts: [String], original: String) throws -> CopyMatch {
        let (match, directory) = try resolve(parts, original: original)
        guard let directory else { return match }
        var loaded = match
        try walk(directory, relative: "", contextPath: match.sourcePath) { loaded.items.append($0) }
        return loaded
    }

    /// For `source`, a directory of the context (no wildcard): its match without items, and how
    /// to stream them into the new layer instead, walked as the layer is written (`StreamedCopy`).
    /// Nil for anything else: `match` it then. Throws what `match` throws for a bad source.
    func streamed(_ source: String) throws -> (match: CopyMatch, stream: StreamedCopy)? {
        guard !CopyMatch.isWildcard(source) else { return nil }
        let (match, directory) = try resolve(try components(source), original: source)
        guard let directory else { return nil }
        return (match, StreamedCopy(source: .context(self, directory: directory, contextPath: match.sourcePath)))
    }

    /// The source at `parts`: its match (a file's item, or a directory without its items) and,
    /// for a directory, its real path to walk.
    private func resolve(_ parts: [String], original: String) throws -> (CopyMatch, directory: String?) {
        let relative = parts.joined(separator: "/")
        let excluded = !parts.isEmpty && ignore.excludes(relative)
        // An excluded directory can still be a source when a `!` rule brings back files inside it.
        if excluded, !ignore.mayReinclude(below: relative) { throw ContextError.excluded(original) }
        let path = ([realRoot] + parts).joined(separator: "/")
        guard let real = realpath(path, nil) else { throw ContextError.notFound(original) }
        let resolved = String(cString: real)
        free(real)
        guard resolved == realRoot || resolved.hasPrefix(realRoot + "/") else { throw ContextError.outside(original) }
        var st = stat()
        guard stat(resolved, &st) == 0 else { throw ContextError.notFound(original) }
        let name = parts.last ?? ""
        if excluded, (st.st_mode & S_IFMT) != S_IFDIR { throw ContextError.excluded(original) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            return (CopyMatch(name: name, sourcePath: relative, isDirectory: true, items: []), resolved)
        }
        return (CopyMatch(name: name, sourcePath: relative, isDirectory: false, items: [try item(resolved, relative: "", st)]), nil)
    }

    /// Hands `visit` everything below `dir`, depth first with each directory's names in byte
    /// order: `PathOrder`, the order a layer lists them in. `contextPath` is `dir` relative to the
    /// context, for `.dockerignore`. Throws `ContextError` for an entry that cannot be read or
    /// copied, the file system's error for a directory that cannot be listed, and what `visit` throws.
    func walk(_ dir: String, relative: String, contextPath: String, visit: (CopyItem) throws -> Void) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted { PathOrder.precedes($0, $1) }
        for name in names {
            let path = dir + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            let inContext = contextPath.isEmpty ? name : contextPath + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { throw ContextError.unreadable(path) }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if ignore.excludes(inContext) {
                // An excluded directory is still entered when a `!` rule may bring back something inside it;
                // when one does, the directory is an entry too, with its mode from the context, as in BuildKit.
                if isDirectory, ignore.mayReinclude(below: inContext) {
                    var inside: [CopyItem] = []
                    try walk(path, relative: rel, contextPath: inContext) { inside.append($0) }
                    if !inside.isEmpty {
                        try visit(try item(path, relative: rel, st))
                        try inside.forEach(visit)
                    }
                }
                continue
            }
            try visit(try item(path, relative: rel, st))
            if isDirectory { try walk(path, relative: rel, contextPath: inContext, visit: visit) }
        }
    }

    private func item(_ path: String, relative: String, _ st: stat) throws -> CopyItem {
        let kind: CopyItem.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file(body: path, size: Int64(st.st_size))
        case S_IFDIR: kind = .directory
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(path, &buffer, buffer.count - 1)
            guard n >= 0 else { throw ContextError.unreadable(path) }
            kind = .symlink(target: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        default:
            throw ContextError.unsupportedType(path)
        }
        var item = CopyItem(relative: relative, kind: kind, mode: UInt32(st.st_mode) & 0o7777, uid: 0, gid: 0, mtime: Int(st.st_mtim.tv_sec))
        item.linkIdentity = FileIdentity(linked: st)
        if case .symlink = kind {} else { item.xattrs = Xattrs.read(path) }
        return item
    }
}

enum ContextError: Error, CustomStringConvertible {
    case outside(String)
    case notFound(String)
    case unreadable(String)
    case unsupportedType(String)
    case excluded(String)

    var description: String {
        switch self {
        case let .outside(p): "\(p) is outside the build context; COPY can only read files inside the context directory"
        case let .notFound(p): "\(p) was not found in the build context"
        case let .unreadable(p): "\(p): cannot be read (\(String(cString: strerror(errno))))"
        case let .unsupportedType(p): "\(p): only files, directories and symlinks can be copied (this is a device, socket or pipe)"
        case let .excluded(p): "\(p) is excluded from the build context by .dockerignore"
        }
    }
}
