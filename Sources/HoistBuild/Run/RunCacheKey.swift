import Foundation
import HoistLayers
import HoistOCI

/// What makes a RUN's layer what it is, hashed: the layers it runs on and their platform, the
/// command and its environment, user, directory and network, what each mount brings (a bind from
/// the context by its content, one from a stage by that stage's layers), and how the layer is
/// written (epoch, compression). Secret and cache contents are left out, as in BuildKit: a secret changing does
/// not rerun a command, and a cache is not an input.
struct RunCacheKey {
    private let hasher = SHA256Hasher()

    init() { add("hoist-run-cache-v1") }

    func add(_ field: String) {
        hasher.update(Array("\(field.utf8.count):".utf8) + Array(field.utf8))
    }

    func add(_ fields: [String]) {
        add("\(fields.count)")
        fields.forEach(add)
    }

    func add(mount target: String, _ mount: RunMount) throws {
        add("mount " + target)
        switch mount {
        case let .cache(id, sharing, mode, uid, gid, seed):
            add("cache \(id) \(sharing) \(mode) \(uid) \(gid)")
            if let seed { add(seed.layers.map(\.diffID.description) + [seed.source]) }
        case let .hostPath(path, readOnly):
            add("bind \(readOnly)")
            try addTree(path)
        case let .layers(layers, source, readOnly):
            add("bind-from \(readOnly) \(source)")
            add(layers.map(\.diffID.description))
        case let .tmpfs(size):
            add("tmpfs \(size.map(String.init) ?? "")")
        case let .secret(id, _, mode, uid, gid):
            add("secret \(id) \(mode) \(uid) \(gid)")
        case .ssh:
            add("ssh")
        case let .script(bytes):
            add("script " + Digest.sha256(of: bytes).description)
        }
    }

    /// A host file or directory by its content: every path below it with type, mode, link target
    /// and bytes, in sorted order. Symlinks are hashed as links, never followed.
    private func addTree(_ path: String, relative: String = "") throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw BuildError.context("\(path): \(String(cString: strerror(errno)))") }
        add("\(relative) \(st.st_mode)")
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
                try addTree(path + "/" + name, relative: relative + "/" + name)
            }
        case S_IFLNK:
            add((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
        case S_IFREG:
            guard let handle = FileHandle(forReadingAtPath: path) else { throw BuildError.context("\(path): cannot be read") }
            defer { try? handle.close() }
            add("\(st.st_size)")
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(Array(chunk)) }
        default:
            break
        }
    }

    func finalize() -> String { hasher.finalize().encoded }
}
