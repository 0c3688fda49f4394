import Foundation
import HoistLayers
import HoistOCI

/// What makes a step's layer what it is, as named inputs, each hashed on its own, and the key
/// that hashes them all. Keys depend only on content (diffIDs, file bytes, words), never on a
/// path or time of this machine, so a key computed on one machine finds a result another made.
/// The named inputs let a miss say which input changed (docs/cache.md).
///
/// RUN: the layers it runs on and their platform, the command and its environment, user,
/// directory and network, what each mount brings (a bind from the context by its content, one
/// from a stage by that stage's layers), and how the layer is written (epoch, compression).
/// Secret and cache contents are left out, as in BuildKit: a secret changing does not rerun a
/// command, and a cache is not an input. COPY/ADD/WORKDIR: the layers below, the instruction's
/// expanded words, and the sources by content.
struct CacheKey: Sendable {
    /// One named input: `name` as a person reads it (`file app.go`, `build arg VERSION`), `digest`
    /// 32 hex digits of its SHA-256.
    struct Input: Codable, Sendable, Equatable {
        var name: String
        var digest: String
    }

    /// `run`, `copy` or `workdir`: keys of different kinds never meet.
    let kind: String
    private(set) var inputs: [Input] = []

    init(kind: String) { self.kind = kind }

    mutating func add(_ name: String, _ fields: [String]) {
        let hasher = SHA256Hasher()
        for field in fields { CacheKey.feed(hasher, field) }
        add(name, hasher)
    }

    mutating func add(_ name: String, _ field: String) { add(name, [field]) }

    /// An input whose bytes were fed to `hasher` by the caller (a file, a tree).
    mutating func add(_ name: String, _ hasher: SHA256Hasher) {
        inputs.append(Input(name: name, digest: String(hasher.finalize().encoded.prefix(32))))
    }

    /// Length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ.
    static func feed(_ hasher: SHA256Hasher, _ field: String) {
        hasher.update(Array("\(field.utf8.count):".utf8) + Array(field.utf8))
    }

    /// The key: 64 hex digits over the kind and every input in order.
    var key: String {
        let hasher = SHA256Hasher()
        CacheKey.feed(hasher, "hoist-cache-v1 " + kind)
        for input in inputs { CacheKey.feed(hasher, input.name); CacheKey.feed(hasher, input.digest) }
        return hasher.finalize().encoded
    }

    mutating func add(mount target: String, _ mount: RunMount) throws {
        let name = "mount " + target
        switch mount {
        case let .cache(id, sharing, mode, uid, gid, seed):
            add(name, ["cache \(id) \(sharing) \(mode) \(uid) \(gid)"] + (seed.map { $0.layers.map(\.diffID.description) + [$0.source] } ?? []))
        case let .hostPath(path, readOnly):
            let hasher = SHA256Hasher()
            CacheKey.feed(hasher, "bind \(readOnly)")
            try CacheKey.feedTree(hasher, path)
            add(name, hasher)
        case let .layers(layers, source, readOnly):
            add(name, ["bind-from \(readOnly) \(source)"] + layers.map(\.diffID.description))
        case let .tmpfs(size):
            add(name, "tmpfs \(size.map(String.init) ?? "")")
        case let .secret(id, _, mode, uid, gid):
            add(name, "secret \(id) \(mode) \(uid) \(gid)")
        case .ssh:
            add(name, "ssh")
        case let .script(bytes):
            add(name, "script " + Digest.sha256(of: bytes).description)
        }
    }

    /// A host file or directory by its content: every path below it with type, mode, link target
    /// and bytes, in sorted order. Symlinks are hashed as links, never followed. Throws
    /// `BuildError.context` for what cannot be read.
    static func feedTree(_ hasher: SHA256Hasher, _ path: String, relative: String = "") throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw BuildError.context("\(path): \(String(cString: strerror(errno)))") }
        feed(hasher, "\(relative) \(st.st_mode)")
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
                try feedTree(hasher, path + "/" + name, relative: relative + "/" + name)
            }
        case S_IFLNK:
            feed(hasher, (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
        case S_IFREG:
            feed(hasher, "\(st.st_size)")
            try feedFile(hasher, path)
        default:
            break
        }
    }

    /// A file's bytes, in 1 MiB reads. Throws `BuildError.context` when it cannot be read.
    static func feedFile(_ hasher: SHA256Hasher, _ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BuildError.context("\(path): cannot be read") }
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { chunk.withUnsafeBytes { hasher.update($0) } }
    }

    /// The first input that differs from `earlier`'s, as a person reads it: `file app.go changed`,
    /// `build arg V added`; nil when they are the same.
    func firstChange(since earlier: [Input]) -> String? {
        var before: [String: String] = [:]
        for input in earlier { before[input.name] = input.digest }
        for input in inputs {
            guard let old = before[input.name] else { return "\(input.name) is new" }
            if old != input.digest { return "\(input.name) changed" }
        }
        let now = Set(inputs.map(\.name))
        if let gone = earlier.first(where: { !now.contains($0.name) }) { return "\(gone.name) is gone" }
        return nil
    }
}
