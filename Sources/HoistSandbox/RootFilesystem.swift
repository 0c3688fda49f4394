import Foundation
import HoistLayers

/// A stage's root filesystem for one RUN: the layers' snapshots as overlayfs lowerdirs, with a
/// fresh upper directory that collects exactly what the command changed.
public final class RootFilesystem {
    public let merged: String
    public let upper: String
    private let work: String
    private var mounted = false

    /// `lowers` bottom layer first.
    public init(lowers: [String], scratch: String) throws {
        merged = scratch + "/merged"
        upper = scratch + "/upper"
        work = scratch + "/work"
        var lowerDirectories = lowers
        for dir in [merged, upper, work] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
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
            throw SandboxError.overlay("\(lowers.count) layers make a mount option longer than a page; squash the base image")
        }
        guard mount("overlay", merged, "overlay", 0, options) == 0 else {
            let why = String(cString: strerror(errno))
            throw errno == EPERM && geteuid() != 0 ? SandboxError.notRoot : SandboxError.overlay(why)
        }
        mounted = true
        SandboxRegistry.mounted(merged)
    }

    public func unmount() {
        guard mounted else { return }
        umount2(merged, Int32(MNT_DETACH))
        SandboxRegistry.unmounted(merged)
        mounted = false
    }

    deinit { unmount() }
}
