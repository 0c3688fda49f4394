import Foundation
import HoistLayers

/// A stage's root filesystem for one RUN. Where the kernel allows it, the layers' snapshots are
/// overlayfs lowerdirs under a fresh upper directory that collects exactly what the command
/// changed. Otherwise (no overlayfs, or HOIST_ROOTFS=copy) the snapshots are copied into a plain
/// directory and the change is found by comparing the tree before and after (TreeDiff).
public final class RootFilesystem {
    public enum Kind: Sendable, Equatable { case overlay, copy }

    public let merged: String
    /// The layers' snapshots, bottom first.
    private let lowers: [String]
    /// Why overlayfs was not used, when it was tried and refused.
    public private(set) var overlayRefusal: String?
    private let upper: String
    private var mounted = false
    /// The copy's stamps from before the command; nil when overlayfs's upper directory collects the changes.
    private var stamps: TreeDiff?

    public var kind: Kind { stamps == nil ? .overlay : .copy }

    /// `lowers` bottom layer first. `preferred` nil: overlayfs if it mounts, else a copy.
    public init(lowers: [String], scratch: String, preferred: Kind? = RootFilesystem.requested) throws {
        merged = scratch + "/merged"
        upper = scratch + "/upper"
        self.lowers = lowers
        try FileManager.default.createDirectory(atPath: merged, withIntermediateDirectories: true)
        if preferred != .copy {
            do {
                try mountOverlay(lowers: lowers, scratch: scratch)
                return
            } catch let error as SandboxError {
                guard preferred == nil, case let .overlay(why) = error else { throw error }
                overlayRefusal = why
            }
        }
        for lower in lowers { try SnapshotCopy.apply(lower, onto: merged) }
        // Stamped before the sandbox's mount points are made, as overlayfs would see them: the
        // points are excluded by path, and the directories they were made in are changed.
        stamps = try TreeDiff(root: merged)
    }

    /// HOIST_ROOTFS=overlay|copy forces one way; unset, overlayfs is tried first.
    public static var requested: Kind? {
        switch ProcessInfo.processInfo.environment["HOIST_ROOTFS"] {
        case "copy": .copy
        case "overlay": .overlay
        default: nil
        }
    }

    private func mountOverlay(lowers: [String], scratch: String) throws {
        let work = scratch + "/work"
        for dir in [upper, work] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var lowerDirectories = lowers
        if lowerDirectories.isEmpty {
            // FROM scratch: overlayfs needs one lowerdir.
            let empty = scratch + "/empty"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            lowerDirectories = [empty]
        }
        var options = "lowerdir=\(lowerDirectories.reversed().joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        // In a user namespace overlayfs may not use trusted.* attributes; the snapshots then carry user.overlay.*.
        if UserNamespace.isPartial { options += ",userxattr" }
        guard options.utf8.count < 4000 else {
            throw SandboxError.overlay("\(lowers.count) layers make a mount option longer than a page")
        }
        guard mount("overlay", merged, "overlay", 0, options) == 0 else {
            let why = String(cString: strerror(errno))
            throw errno == EPERM && geteuid() != 0 ? SandboxError.notRoot : SandboxError.overlay(why)
        }
        mounted = true
        SandboxRegistry.mounted(merged)
    }

    /// What the command changed, as layer entries (`excluded` paths left out), and the
    /// directories left out because the command did not change them, deepest first.
    public func changes(excluded: Set<String>) throws -> (entries: [LayerEntry], unchanged: [String]) {
        let entries = try stamps?.entries(excluded: excluded) ?? UpperDiff.entries(of: upper, excluded: excluded)
        let unchanged = unchangedDirectories(in: entries, excluded: excluded)
        return (entries.filter { !unchanged.contains($0.path) }, PathOrder.sorted(Array(unchanged)) { $0 }.reversed())
    }

    /// Directories the diff lists only because something was made in them and taken out again
    /// (the sandbox's /etc/hosts stub): the layers below showed a directory there with the same
    /// permission bits, owner and file capabilities, and nothing under it is in the diff.
    /// BuildKit's overlay differ leaves such a directory out (its `sameDirent` does not count a
    /// directory's mtime), and includes a directory only as the parent of a change it records.
    /// With overlayfs the upper directory becomes the next snapshot, so a directory still holding
    /// something the diff skips (a fifo, a socket) is kept: it could not be removed from there.
    private func unchangedDirectories(in entries: [LayerEntry], excluded: Set<String>) -> Set<String> {
        var unchanged: Set<String> = []
        var parentsOfKept: Set<String> = []
        // Deepest first, so every directory's descendants are decided before it (no sort of the
        // whole diff: the layer writer sorts it once).
        let byDepth = Dictionary(grouping: entries) { entry in entry.path.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 } }
        for entry in byDepth.keys.sorted(by: >).flatMap({ byDepth[$0]! }) {
            if entry.kind == .directory, !parentsOfKept.contains(entry.path), let below = lowerEntry(entry.path), below.kind == .directory,
               below.mode == entry.mode, below.uid == entry.uid, below.gid == entry.gid,
               below.xattrs["security.capability"] == entry.xattrs["security.capability"],
               stamps != nil || holdsOnly(excluded.union(unchanged), in: entry.path) {
                unchanged.insert(entry.path)
                continue
            }
            if let slash = entry.path.lastIndex(of: "/") { parentsOfKept.insert(String(entry.path[..<slash])) }
        }
        return unchanged
    }

    /// Whether the upper directory's `path` holds nothing but `paths`.
    private func holdsOnly(_ paths: Set<String>, in path: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: upper + "/" + path) else { return false }
        return names.allSatisfy { paths.contains(path + "/" + $0) }
    }

    /// What the layers below showed at `path` before the command: the topmost snapshot that has
    /// it, unless a snapshot above hides it (a whiteout of it or of a parent, as a 0:0 device or
    /// a `.wh.` marker, a parent that is not a directory, or an opaque parent). Nil when hidden or
    /// absent.
    private func lowerEntry(_ path: String) -> LayerEntry? {
        let parts = path.split(separator: "/").map(String.init)
        for lower in lowers.reversed() {
            var directory = lower
            var hidesBelow = false
            for (i, name) in parts.enumerated() {
                var st = stat()
                if Glibc.lstat(directory + "/" + Whiteout.prefix + name, &st) == 0 { return nil }
                let full = directory + "/" + name
                guard Glibc.lstat(full, &st) == 0 else {
                    if hidesBelow { return nil }
                    break
                }
                if st.st_mode & S_IFMT == S_IFCHR, st.st_rdev == 0 { return nil }
                if i == parts.count - 1 { return try? DiskEntry.entry(at: full, relative: path, st) }
                guard st.st_mode & S_IFMT == S_IFDIR else { return nil }
                directory = full
                if DiskEntry.isOpaque(directory, markers: true) { hidesBelow = true }
            }
        }
        return nil
    }


    /// The upper directory, which is already the snapshot of the layer made from it (overlay only).
    public var reusableSnapshot: String? { stamps == nil ? upper : nil }

    public func unmount() {
        guard mounted else { return }
        umount2(merged, Int32(MNT_DETACH))
        SandboxRegistry.unmounted(merged)
        mounted = false
    }

    deinit { unmount() }
}
