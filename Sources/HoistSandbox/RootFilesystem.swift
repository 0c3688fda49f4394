import Foundation
import HoistLayers

/// A stage's root filesystem for one RUN. Where the kernel allows it, the layers' snapshots are
/// overlayfs lowerdirs under a fresh upper directory that collects exactly what the command
/// changed. Otherwise (no overlayfs, or HOIST_ROOTFS=copy) the snapshots are copied into a plain
/// directory and the change is found by comparing the tree before and after (TreeDiff).
public final class RootFilesystem {
    public enum Kind: Sendable, Equatable { case overlay, copy }

    public let merged: String
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

    /// What the command changed, as layer entries (`excluded` paths left out).
    public func changes(excluded: Set<String>) throws -> [LayerEntry] {
        try stamps?.entries(excluded: excluded) ?? UpperDiff.entries(of: upper, excluded: excluded)
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
