import Foundation
import HoistLayers
import HoistSandbox

/// `hoist prune`: frees what builds keep to be fast next time: unpacked snapshots, RUN results,
/// `--mount=type=cache` directories and layer indexes. Anything a running build holds (a snapshot it mounted, a
/// cache it has mounted) is kept and counted. The content store's blobs stay: images and layers
/// kept there are removed with `hoist rmi`.
public struct BuildCachePruner {
    public struct Report: Sendable {
        public var snapshots = 0
        public var runResults = 0
        public var cacheMounts = 0
        public var indexes = 0
        public var inUse = 0
        public var bytes: Int64 = 0

        public var summary: String {
            "removed \(snapshots) snapshot(s), \(runResults) cached RUN result(s), \(cacheMounts) cache mount(s) and \(indexes) layer index(es), "
                + String(format: "%.1f MB", Double(bytes) / 1_000_000) + "; kept \(inUse) in use by a running build"
        }
    }

    let root: URL

    public init(root: URL) { self.root = root }

    public func prune() async throws -> Report {
        var report = Report()
        for name in UserNamespace.snapshotDirectoryNames {
            let pruned = try await Snapshotter(root: root.appendingPathComponent(name).path).prune()
            report.snapshots += pruned.removed
            report.inUse += pruned.inUse
            report.bytes += pruned.bytes
        }
        let results = root.appendingPathComponent("run-cache").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: results)) ?? [] where unlink(results + "/" + name) == 0 {
            if !name.hasPrefix(".") { report.runResults += 1 }
        }
        // Layer indexes are read whole when used, so removing them never disturbs a running build.
        let indexes = root.appendingPathComponent("indexes")
        for version in (try? FileManager.default.contentsOfDirectory(atPath: indexes.path)) ?? [] {
            let directory = indexes.appendingPathComponent(version).path
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                report.bytes += Snapshotter.diskUsage(directory + "/" + name)
                if unlink(directory + "/" + name) == 0, !name.hasPrefix("."), !name.hasSuffix(".partial") { report.indexes += 1 }
            }
            rmdir(directory)
        }
        let caches = root.appendingPathComponent("cache").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: caches)) ?? [] where !name.contains(".") {
            let directory = caches + "/" + name
            let fd = open(directory + ".inuse", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                report.inUse += 1
                continue
            }
            report.bytes += Snapshotter.diskUsage(directory)
            try? FileManager.default.removeItem(atPath: directory)
            unlink(directory + ".inuse")
            unlink(directory + ".lock")
            report.cacheMounts += 1
        }
        return report
    }
}
