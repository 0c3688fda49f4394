import Foundation
import HoistOCI

/// "What is at path P?" for a stack of layers, answered from tar headers top layer first,
/// honouring whiteouts and opaque directories. A layer's blob is fetched and indexed only when a
/// question cannot be settled by the layers above it; bodies are read only for files being copied.
public actor FilesystemView {
    /// Where a layer's blob comes from: the build supplies this (local store or registry).
    public struct Layer: Sendable {
        public var descriptor: Descriptor
        /// The blob in the store (fetched into it if needed), for bodies that COPY reads.
        public var blobPath: @Sendable () async throws -> String
        /// The blob for reading its headers once: a download read as it arrives (or a temp file)
        /// when it is not in the store, so indexing a base layer alone never stores it; or the
        /// index a snapshot's unpacking read on the way.
        public var indexSource: @Sendable () async throws -> LayerSource

        public init(descriptor: Descriptor, blobPath: @escaping @Sendable () async throws -> String,
                    indexSource: (@Sendable () async throws -> LayerSource)? = nil) {
            self.descriptor = descriptor
            self.blobPath = blobPath
            self.indexSource = indexSource ?? { .file(path: try await blobPath(), temporary: false) }
        }
    }

    /// An entry found in the view, and which layer (index into `layers`, bottom = 0) holds it.
    public struct Found: Sendable, Equatable {
        public var header: TarHeader
        public var layer: Int
    }

    public nonisolated let layers: [Layer]
    private let cache: LayerIndexCache

    /// `layers` in manifest order: bottom first.
    public init(layers: [Layer], cache: LayerIndexCache) {
        self.layers = layers
        self.cache = cache
    }

    /// Every entry layer `i` (bottom = 0) itself holds, whether or not a layer above hides it:
    /// for work cached per layer, whatever image the layer ends up in.
    public func entries(inLayer i: Int) async throws -> [Found] {
        try await index(i).entries.values.map { Found(header: $0, layer: i) }
    }

    /// Reads the top layer's index ahead of any question: every question starts there. Throws
    /// what reading the layer throws.
    public func readTopLayer() async throws {
        if !layers.isEmpty { _ = try await index(layers.count - 1) }
    }

    /// How many of `layers` this view has had to read so far (top layers first).
    public var layersRead: Int { consulted.count }
    private var consulted: Set<Int> = []
    private var extractions = 0

    private func index(_ i: Int) async throws -> LayerIndex {
        consulted.insert(i)
        return try await cache.index(for: layers[i].descriptor.digest, source: layers[i].indexSource)
    }

    /// The entry at exactly `path` (no symlinks followed), or nil if absent or deleted.
    public func entry(at path: String) async throws -> Found? {
        let path = TarHeader.normalize(path)
        if path.isEmpty { return Found(header: TarHeader(path: "", kind: .directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0), layer: -1) }
        for i in layers.indices.reversed() {
            let idx = try await index(i)
            if let header = idx.entries[path] { return Found(header: header, layer: i) }
            if idx.hides(path) { return nil }
            if idx.implicitDirectories.contains(path) {
                // A layer may hold a/b/c without an entry for a/b; runtimes create such parents 0755 root.
                return Found(header: TarHeader(path: path, kind: .directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0), layer: i)
            }
        }
        return nil
    }

    /// Resolves `path` inside the root, following symlinks in every component (and in the last one
    /// when `followLast`); absolute links and `..` never leave the root. Returns the resolved path.
    public func resolve(_ path: String, followLast: Bool = true) async throws -> (path: String, found: Found)? {
        var resolved: [String] = []
        var remaining = path.split(separator: "/").map(String.init)[...]
        var hops = 0
        var last = try await entry(at: "")!
        while let component = remaining.popFirst() {
            if component == "." || component.isEmpty { continue }
            if component == ".." { _ = resolved.popLast(); last = try await entry(at: resolved.joined(separator: "/"))!; continue }
            let candidate = (resolved + [component]).joined(separator: "/")
            guard let found = try await entry(at: candidate) else { return nil }
            if case let .symlink(target) = found.header.kind, !remaining.isEmpty || followLast {
                hops += 1
                if hops > 40 { throw FilesystemViewError.symlinkLoop(path) }
                if target.hasPrefix("/") { resolved = [] }
                remaining = (target.split(separator: "/").map(String.init) + remaining)[...]
                continue
            }
            if !remaining.isEmpty, !found.header.isDirectory { return nil }
            resolved.append(component)
            last = found
        }
        return (resolved.joined(separator: "/"), last)
    }

    /// Where a write to `path` lands: symlinks in every component (the last one too) are followed
    /// inside the root, as BuildKit resolves a COPY or WORKDIR destination in the stage.
    public struct WriteTarget: Sendable, Equatable {
        /// The resolved path ("" is the root).
        public var path: String
        /// What is there now, if anything.
        public var existing: TarHeader?
        /// Directories above `path` that do not exist yet, top down; the writer must create them.
        public var missingParents: [String]
    }

    public func writeTarget(_ path: String) async throws -> WriteTarget {
        var resolved: [String] = []
        var remaining = path.split(separator: "/").map(String.init)[...]
        var hops = 0
        var missing = false
        var missingParents: [String] = []
        var existing: TarHeader? = TarHeader(path: "", kind: .directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0)
        while let component = remaining.popFirst() {
            if component == "." || component.isEmpty { continue }
            if component == ".." { _ = resolved.popLast(); continue }
            let candidate = (resolved + [component]).joined(separator: "/")
            if !missing, let found = try await entry(at: candidate) {
                if case let .symlink(target) = found.header.kind {
                    hops += 1
                    if hops > 40 { throw FilesystemViewError.symlinkLoop(path) }
                    if target.hasPrefix("/") { resolved = [] }
                    remaining = (target.split(separator: "/").map(String.init) + remaining)[...]
                    continue
                }
                if !remaining.isEmpty, !found.header.isDirectory { throw FilesystemViewError.notADirectory(candidate) }
                existing = found.header
            } else {
                missing = true
                existing = nil
                if !remaining.isEmpty { missingParents.append(candidate) }
            }
            resolved.append(component)
        }
        return WriteTarget(path: resolved.joined(separator: "/"), existing: existing, missingParents: missingParents)
    }

    /// Everything below `directory` (an already resolved path), merged across layers, sorted.
    public func walk(_ directory: String) async throws -> [Found] {
        let dir = TarHeader.normalize(directory)
        let prefix = dir.isEmpty ? "" : dir + "/"
        var decided: [String: Found?] = [:]
        var hiddenTrees: Set<String> = []     // path and everything below it
        var hiddenChildren: Set<String> = []  // everything below it
        func hidden(_ path: String) -> Bool {
            if hiddenTrees.contains(path) { return true }
            var p = Substring(path)
            while let slash = p.lastIndex(of: "/") {
                p = p[..<slash]
                if hiddenTrees.contains(String(p)) || hiddenChildren.contains(String(p)) { return true }
            }
            return hiddenChildren.contains("")
        }
        for i in layers.indices.reversed() {
            let idx = try await index(i)
            var newTrees: [String] = [], newChildren: [String] = []
            for (path, header) in idx.entries where path.hasPrefix(prefix) && path != dir {
                guard decided[path] == nil, !hidden(path) else { continue }
                decided[path] = Found(header: header, layer: i)
                if !header.isDirectory { newTrees.append(path) }
            }
            for path in idx.whiteouts where path.hasPrefix(prefix) {
                guard decided[path] == nil, !hidden(path) else { continue }
                decided[path] = .some(nil)
                newTrees.append(path)
            }
            newChildren.append(contentsOf: idx.opaqueDirectories)
            hiddenTrees.formUnion(newTrees)
            hiddenChildren.formUnion(newChildren)
            // Below a layer that replaces, deletes or makes opaque the directory itself, nothing more can show.
            if idx.opaqueDirectories.contains(dir) || idx.hides(dir) || (idx.entries[dir].map { !$0.isDirectory } ?? false) { break }
        }
        return PathOrder.sorted(decided.values.compactMap { $0 }, by: \.header.path)
    }

    /// The one layer that alone holds everything `walk(directory)` returns, and its index: then
    /// the subtree can be read straight from that layer's tar, in one pass, with nothing held per
    /// file. Nil when another layer adds to it, or hides part of it, or nothing is below
    /// `directory` (an already resolved path). Reads the layers `walk` would read.
    public func soleLayer(below directory: String) async throws -> (layer: Int, index: LayerIndex)? {
        let dir = TarHeader.normalize(directory)
        let prefix = dir.isEmpty ? "" : dir + "/"
        var sole: (layer: Int, index: LayerIndex)?
        for i in layers.indices.reversed() {
            let idx = try await index(i)
            let holds = idx.entries.keys.contains { $0.hasPrefix(prefix) && $0 != dir }
            // A whiteout or an opaque directory below `dir` hides part of a lower layer: merging is `walk`'s.
            let marks = idx.whiteouts.contains { $0.hasPrefix(prefix) } || idx.opaqueDirectories.contains { $0.hasPrefix(prefix) }
            if holds || marks {
                guard sole == nil, !marks else { return nil }
                sole = (i, idx)
            }
            if idx.opaqueDirectories.contains(dir) || idx.hides(dir) || (idx.entries[dir].map { !$0.isDirectory } ?? false) { break }
        }
        return sole
    }

    /// Where `extractBodies` puts bodies: a new file each under `directory`, or all appended to one
    /// `pack` file. A pack costs one inode however many bodies it holds: for tens of thousands of
    /// small files, creating (and later deleting) a file each cost far more than their bytes.
    public enum BodyStaging: Sendable {
        case files(directory: String)
        case pack(file: String)
    }

    /// A staged body: `size` bytes of `file`, from byte `offset`. A pack has one writer at a time
    /// (one COPY's sources are matched one after another, each COPY has its own scratch
    /// directory), so the end of the file is where the next body starts.
    public struct StagedBody: Sendable, Equatable {
        public var file: String
        public var offset: Int64
        public var size: Int64
    }

    /// Copies the bodies of `items` (regular files and hard links) into new files under `directory`,
    /// reading each layer that holds one once. Returns path → staged file.
    public func extractBodies(_ items: [Found], into directory: String) async throws -> [String: String] {
        try await extractBodies(items, staging: .files(directory: directory)).mapValues(\.file)
    }

    /// Stages the bodies of `items` (regular files and hard links) as `staging` says, reading each
    /// layer that holds one once. Returns path → staged body.
    public func extractBodies(_ items: [Found], staging: BodyStaging) async throws -> [String: StagedBody] {
        var wanted: [Int: Set<String>] = [:]
        for item in items {
            switch item.header.kind {
            case .file: wanted[item.layer, default: []].insert(item.header.path)
            case let .hardlink(target): wanted[item.layer, default: []].insert(target)
            default: break
            }
        }
        var staged: [String: StagedBody] = [:]
        for (layer, paths) in wanted.sorted(by: { $0.key < $1.key }) {
            let blob = try await layers[layer].blobPath()
            // Staged names are unique per view, so several calls may share one directory.
            let batch = extractions
            extractions += 1
            let got = try await Blocking.run { () -> [String: StagedBody] in
                let reader = try TarReader(path: blob)
                var out: [String: StagedBody] = [:]
                var pack: (fd: Int32, end: Int64, buffer: [UInt8])?
                if case let .pack(file) = staging {
                    let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
                    guard fd >= 0 else { throw LayerError.io(path: file, message: String(cString: strerror(errno))) }
                    pack = (fd, Int64(lseek(fd, 0, SEEK_END)), [UInt8](repeating: 0, count: 1 << 20))
                }
                defer { if let pack { close(pack.fd) } }
                while out.count < paths.count, let header = try reader.next() {
                    guard paths.contains(header.path), out[header.path] == nil, header.kind == .file else { continue }
                    switch staging {
                    case let .files(directory):
                        let file = "\(directory)/L\(layer)-\(batch)-\(out.count)"
                        try reader.extractBody(to: file)
                        out[header.path] = StagedBody(file: file, offset: 0, size: header.size)
                    case let .pack(file):
                        let size = try reader.appendBody(to: pack!.fd, file: file, size: header.size, buffer: &pack!.buffer)
                        out[header.path] = StagedBody(file: file, offset: pack!.end, size: size)
                        pack!.end += size
                    }
                }
                return out
            }
            for item in items where item.layer == layer {
                var source = item.header.path
                switch item.header.kind {
                case .file: break
                case let .hardlink(target): source = target
                default: continue  // directories and symlinks have no body
                }
                guard let file = got[source] else { throw FilesystemViewError.missingBody(item.header.path) }
                staged[item.header.path] = file
            }
        }
        return staged
    }

    /// The bytes of a small file (e.g. `/etc/passwd`), following symlinks; nil if absent.
    public func readFile(_ path: String, scratch: String) async throws -> [UInt8]? {
        guard let (_, found) = try await resolve(path), found.header.kind == .file || { if case .hardlink = found.header.kind { true } else { false } }() else { return nil }
        let staged = try await extractBodies([found], into: scratch)
        guard let file = staged[found.header.path], let data = FileManager.default.contents(atPath: file) else { return nil }
        try? FileManager.default.removeItem(atPath: file)
        return Array(data)
    }
}

public enum FilesystemViewError: Error, CustomStringConvertible {
    case symlinkLoop(String)
    case missingBody(String)
    case notADirectory(String)

    public var description: String {
        switch self {
        case let .symlinkLoop(p): "\(p): too many levels of symbolic links"
        case let .missingBody(p): "\(p): the layer that lists it does not contain its content (a hard link to a missing file?)"
        case let .notADirectory(p): "/\(p) is not a directory in this stage, so nothing can be written below it"
        }
    }
}
