import CSystem
import Foundation
import HoistDockerfile
import HoistLayers
import HoistSandbox

/// Turns resolved `RUN --mount`s into sandbox mounts: cache directories (with their sharing lock),
/// read-only views of other stages' layers, secret files, the ssh agent socket, tmpfs. Targets the
/// stage lacks are made for the run and reported, so the layer leaves them out (as BuildKit
/// removes its mount stubs). Everything it mounted or locked is released by `release()`.
final class MountMaker {
    let merged: String
    private let scratch: String
    private let cacheRoot: String
    private var locks: [Int32] = []
    private var views: [RootFilesystem] = []
    private(set) var created: [String] = []

    init(merged: String, scratch: String, cacheRoot: String) {
        self.merged = merged
        self.scratch = scratch
        self.cacheRoot = cacheRoot
    }

    func make(_ mounts: [(target: String, mount: RunMount)], snapshots: ([LayerRef]) async throws -> [String]) async throws -> [Sandbox.Mount] {
        var result: [Sandbox.Mount] = []
        for (n, (target, mount)) in mounts.enumerated() {
            let relative = TarHeader.normalize(target)
            guard !relative.isEmpty else { throw BuildError.context("a mount's target cannot be /") }
            // Under /dev the sandbox makes the mount point in its own tmpfs.
            if case .layers = mount {} else if !relative.hasPrefix("dev/") { try makeTarget(relative, isFile: mount.isFile) }
            switch mount {
            case let .cache(id, sharing, mode, uid, gid, seed):
                let (directory, isNew) = try await cacheDirectory(id, sharing: sharing, mode: mode, uid: uid, gid: gid)
                if isNew, let seed {
                    // A new cache starts as a copy of `source` in the stage or image named by from=.
                    let source = try await path(seed.source, in: seed.layers, view: "seed-\(n)", snapshots: snapshots)
                    let (status, output) = try Subprocess.run("/bin/cp", ["-a", "--", source + "/.", directory])
                    guard status == 0 else { throw BuildError.context("cache \(id): cannot copy its seed \(seed.source): \(output)") }
                }
                result.append(.bind(directory, at: relative, readOnly: false))
            case let .hostPath(path, readOnly):
                result.append(.bind(path, at: relative, readOnly: readOnly))
            case let .layers(layers, source, readOnly):
                let path = try await path(source, in: layers, view: "from-\(n)", snapshots: snapshots)
                try makeTarget(relative, isFile: !FileManager.default.isDirectory(path))
                result.append(.bind(path, at: relative, readOnly: readOnly))
            case let .tmpfs(size):
                result.append(.tmpfs(at: relative, options: "mode=1777" + (size.map { ",size=\($0)" } ?? "")))
            case let .secret(id, bytes, mode, uid, gid):
                let directory = scratch + "/secrets"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let file = "\(directory)/\(n)"
                guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                    throw BuildError.context("cannot stage secret \(id)")
                }
                chown(file, uid_t(uid), gid_t(gid))
                chmod(file, mode_t(mode))
                result.append(.bind(file, at: relative, readOnly: true))
            case let .ssh(socket):
                result.append(.bind(socket, at: relative, readOnly: false))
            case let .script(bytes):
                let file = "\(scratch)/script-\(n)"
                guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o755]) else {
                    throw BuildError.context("cannot stage the heredoc script for \(target)")
                }
                result.append(.bind(file, at: relative, readOnly: true))
            }
        }
        return result
    }

    func release() {
        for view in views { view.unmount() }
        views = []
        for fd in locks { flock(fd, LOCK_UN); close(fd) }
        locks = []
    }

    deinit { release() }

    /// Makes `relative` (and missing parents) inside the stage, never through a symlink, and
    /// records what it made in `created`.
    func makeTarget(_ relative: String, isFile: Bool) throws {
        let elements = relative.split(separator: "/").map(String.init)
        let tree = try ContainedTree(root: merged)
        for i in elements.indices {
            let path = elements[...i].joined(separator: "/")
            let last = i == elements.count - 1
            var st = stat()
            if lstat(merged + "/" + path, &st) == 0 {
                if st.st_mode & S_IFMT == S_IFLNK { throw BuildError.context("mount target /\(relative): /\(path) is a symlink in this stage") }
                if !last && st.st_mode & S_IFMT != S_IFDIR { throw BuildError.context("mount target /\(relative): /\(path) is not a directory") }
                continue
            }
            let header = TarHeader(path: path, kind: last && isFile ? .file : .directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0)
            if last && isFile { try tree.writeFile(header) { _ in } } else { try tree.write(header, body: nil) }
            created.append(path)
        }
    }

    /// `source` in the files of `layers`: an overlay of their snapshots with a throwaway upper
    /// directory (writable for `rw`, nothing written there kept), unmounted by `release()`.
    private func path(_ source: String, in layers: [LayerRef], view name: String,
                      snapshots: ([LayerRef]) async throws -> [String]) async throws -> String {
        let view = try RootFilesystem(lowers: try await snapshots(layers), scratch: "\(scratch)/\(name)")
        views.append(view)
        return try contained(source, in: view.merged)
    }

    /// `source` inside `root` with symlinks resolved, refused if it leaves the root.
    private func contained(_ source: String, in root: String) throws -> String {
        guard let real = realpath(root + "/" + TarHeader.normalize(source), nil) else {
            throw BuildError.context("mount source \(source) does not exist")
        }
        defer { free(real) }
        let path = String(cString: real)
        guard path == root || path.hasPrefix(root + "/") else { throw BuildError.context("mount source \(source) leaves its stage through a symlink") }
        return path
    }

    /// The cache directory for `id`, made on first use; `locked` waits for other builds using it,
    /// `private` takes a fresh directory when another build holds it, `shared` just uses it.
    private func cacheDirectory(_ id: String, sharing: MountSpec.Sharing, mode: UInt32, uid: Int, gid: Int) async throws -> (String, Bool) {
        let name = Array(id.utf8).map { String(format: "%02x", $0) }.joined().prefix(120)
        let directory = "\(cacheRoot)/\(name)"
        var isNew = false
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chown(directory, uid_t(uid), gid_t(gid))
            chmod(directory, mode_t(mode))
            isNew = true
        }
        // Held shared while mounted, whatever the sharing: prune removes only caches nobody holds.
        let inUse = open(directory + ".inuse", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if inUse >= 0 {
            flock(inUse, LOCK_SH)
            locks.append(inUse)
        }
        guard sharing != .shared else { return (directory, isNew) }
        let fd = open(directory + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BuildError.context("cache \(id): cannot open its lock") }
        if sharing == .locked {
            // Another stage of this build may hold it: wait off Swift's pool (a blocking flock on
            // one of its threads could keep the holder from ever resuming), and stop when cancelled.
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                do { try await Task.sleep(for: .milliseconds(20)) } catch {
                    close(fd)
                    throw error
                }
            }
        } else if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            let fresh = "\(scratch)/cache-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
            chown(fresh, uid_t(uid), gid_t(gid))
            chmod(fresh, mode_t(mode))
            return (fresh, true)
        }
        locks.append(fd)
        return (directory, isNew)
    }
}
