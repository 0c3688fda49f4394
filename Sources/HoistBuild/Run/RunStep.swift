import Foundation
import HoistContent
import HoistDockerfile
import HoistLayers
import HoistOCI
import HoistSandbox

/// One RUN: the stage's layers mounted as snapshots under a fresh overlayfs upper directory, the
/// command run in the sandbox, and the upper directory turned into the new layer (and kept as that
/// layer's snapshot for the next RUN).
struct RunStep {
    let sources: ImageSources
    let store: ContentStore
    let snapshotter: Snapshotter
    let clock: BuildClock
    let compression: LayerCompression
    let progress: BuildProgress
    let limits: BuildLimits
    let defaults: RunDefaults

    /// A note under the RUN's vertex.
    func log(_ text: String) { progress.log(text) }

    /// Paths the sandbox mounts over. Directories the image lacks are made and stay in the layer, as
    /// runc leaves them in BuildKit's; files (and an /etc made for them) are kept out of it.
    private static let mountPoints: [(path: String, isDirectory: Bool)] = [
        ("proc", true), ("dev", true), ("sys", true), ("etc", true), ("etc/hosts", false), ("etc/resolv.conf", false), ("etc/hostname", false),
    ]
    private static let keptMountPoints: Set<String> = ["proc", "dev", "sys"]

    func run(argv: [String], environment: [String], network: Sandbox.Network, mounts: [(target: String, mount: RunMount)] = [],
             insecure: Bool = false, state: StageState, createdBy: String, location: SourceLocation) async throws -> LayerRef {
        let lowers = try await snapshots(of: state.layers)
        let scratch = store.root.appendingPathComponent("ingest/run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let rootfs = try RootFilesystem(lowers: lowers, scratch: scratch)
        if rootfs.kind == .copy {
            log("  line \(location.line): root filesystem copied from the layers (\(rootfs.overlayRefusal.map { "overlayfs refused: \($0)" } ?? "HOIST_ROOTFS=copy"))")
        }
        var unmounted = false
        defer { if !unmounted { rootfs.unmount() } }

        let maker = MountMaker(merged: rootfs.merged, scratch: scratch, cacheRoot: store.root.appendingPathComponent("cache").path)
        defer { maker.release() }
        let linkedFiles = try prepareMountPoints(maker)
        let sandboxMounts: [Sandbox.Mount]
        do {
            sandboxMounts = try await maker.make(mounts) { layers in try await snapshots(of: layers) }
        } catch let error as BuildError {
            if case let .context(message) = error { throw StageError.mount(message) }
            throw error
        }
        // As BuildKit's stub cleaner: a /dev made only to hold a mount under it (a heredoc script
        // at /dev/pipes) is removed again; otherwise the runtime's /proc, /dev and /sys stay.
        let kept = mounts.contains { TarHeader.normalize($0.target).hasPrefix("dev/") }
            ? RunStep.keptMountPoints.subtracting(["dev"]) : RunStep.keptMountPoints
        let created = Set(maker.created).subtracting(kept)
        var user = try ResolvedUser.resolve(state.containerConfig.user ?? "", root: rootfs.merged)
        // As runc and BuildKit: a RUN without PATH or HOME gets the default PATH and the user's home.
        var environment = environment
        if !environment.contains(where: { $0.hasPrefix("PATH=") }) { environment.append("PATH=" + ContainerConfig.defaultPath) }
        if !environment.contains(where: { $0.hasPrefix("HOME=") }) { environment.append("HOME=\(user.home)") }
        var sandbox = Sandbox(rootfs: rootfs.merged, argv: argv, environment: environment, workingDirectory: state.workingDirectory)
        if UserNamespace.isPartial {
            guard UserNamespace.maps(uid: Int(user.uid), gid: Int(user.gid)) else {
                throw StageError.sandbox(SandboxError.unmappedUser(state.containerConfig.user ?? "", user.uid, user.gid))
            }
            // Supplementary groups only where setgroups is allowed, and only those that exist here.
            user.groups = UserNamespace.canSetGroups ? user.groups.filter { UserNamespace.maps(uid: 0, gid: Int($0)) } : []
        }
        sandbox.uid = user.uid
        sandbox.gid = user.gid
        sandbox.groups = user.groups
        sandbox.network = network
        sandbox.allCapabilities = insecure
        sandbox.mounts = sandboxMounts
        // An image's /etc file that is a symlink is left as it is: a bind mount would follow the link.
        func provided(_ name: String, _ contents: @autoclosure () -> String) throws -> String? {
            linkedFiles.contains("etc/" + name) ? nil : try hostFile(scratch, name, contents())
        }
        sandbox.limits = defaults.limits
        sandbox.shmSize = defaults.shmSize
        // --add-host lines follow the defaults, as BuildKit writes them.
        let extraHosts = defaults.extraHosts.map { "\($0.address)\t\($0.name)\n" }.joined()
        sandbox.hostsFile = try provided("hosts", "127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n" + extraHosts)
        sandbox.hostnameFile = try provided("hostname", "buildkitsandbox\n")
        sandbox.resolvFile = try provided("resolv.conf", network == .none ? "" : ((try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""))

        // The sandbox's output thread has no task: the vertex is taken here.
        let vertex = ProgressVertex.current
        let progress = self.progress
        let (outcome, seconds) = try await limits.sandboxes.run {
            let started = ContinuousClock.now
            let outcome = try await sandbox.run { line in
                if let vertex { vertex.output(line) } else { progress.log("  | " + line) }
            }
            return (outcome, (ContinuousClock.now - started) / .seconds(1))
        }
        rootfs.unmount()
        maker.release()
        unmounted = true
        guard outcome.status == 0 else {
            let tail = outcome.tail.suffix(10).map { "  | " + $0 }.joined(separator: "\n")
            throw StageError.commandFailed(command: createdBy.replacingOccurrences(of: " # buildkit", with: ""), status: outcome.status, tail: tail)
        }
        let changes = try rootfs.changes(excluded: created)
        let entries = changes.entries.map(clock.clamped)
        let built = try await limits.writeLayer(entries, into: store, compression: compression)
        log("  line \(location.line): RUN took \(String(format: "%.3f", seconds)) s; layer \(built.descriptor.digest.encoded.prefix(12)) (\(entries.count) entries)")
        // Without the files the sandbox provided, the upper directory is this layer's snapshot
        // already: the next RUN mounts it as it is instead of unpacking the layer.
        if let upper = rootfs.reusableSnapshot {
            for path in created.sorted(by: >) {
                let full = upper + "/" + path
                if unlink(full) != 0 { rmdir(full) }
            }
            // A directory the layer leaves out as unchanged shows through from below again.
            for path in changes.unchanged { rmdir(upper + "/" + path) }
            try? await snapshotter.adopt(upper, as: built.diffID)
        }
        return LayerRef(descriptor: built.descriptor, diffID: built.diffID, source: .store)
    }

    /// The snapshot directories of `layers`, bottom first, unpacking any not yet unpacked.
    private func snapshots(of layers: [LayerRef]) async throws -> [String] {
        var result: [String] = []
        for layer in layers {
            result.append(try await sources.unpack(layer, into: snapshotter).path)
        }
        return result
    }

    /// Makes the mount points the image lacks (through MountMaker, which never writes through a
    /// symlink and records what it made) and refuses a directory mount point that is a symlink.
    /// Returns the /etc files that are symlinks, which the sandbox must not mount over.
    private func prepareMountPoints(_ maker: MountMaker) throws -> Set<String> {
        var linkedFiles: Set<String> = []
        for (path, isDirectory) in RunStep.mountPoints {
            var st = stat()
            if lstat(maker.merged + "/" + path, &st) == 0 {
                let kind = st.st_mode & S_IFMT
                if kind == S_IFLNK {
                    if isDirectory { throw StageError.symlinkWhereDirectoryIsNeeded(path) }
                    linkedFiles.insert(path)
                    continue
                }
                if (kind == S_IFDIR) != isDirectory { throw StageError.wrongKind(path, directory: isDirectory) }
                continue
            }
            do { try maker.makeTarget(path, isFile: !isDirectory) } catch let error as BuildError {
                if case let .context(message) = error { throw StageError.mountPoint(message) }
                throw error
            }
        }
        return linkedFiles
    }

    private func hostFile(_ scratch: String, _ name: String, _ contents: String) throws -> String {
        let path = scratch + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else { throw BuildError.context("cannot write \(path)") }
        return path
    }
}
