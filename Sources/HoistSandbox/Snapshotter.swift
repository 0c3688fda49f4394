import Foundation
import HoistContent
import HoistLayers
import HoistOCI

/// Each layer unpacked once per diffID under `$HOIST_ROOT/snapshots`, in overlayfs's format, and
/// kept: the next RUN on the same base mounts the same directories. A snapshot appears under its
/// final name only when complete (extracted into a temp directory, then renamed).
///
/// A process that uses a snapshot holds a shared flock on `NAME.lock` until it exits, so `prune`
/// (which needs the lock exclusively) never removes a snapshot a running build has mounted.
public actor Snapshotter {
    public let root: String
    private var held: [String: Int32] = [:]
    /// Layers being unpacked, so concurrent stages on one base unpack each layer once.
    private let unpacking = SharedTasks<Digest, Unpacked>()

    /// A snapshot's directory, and the layer's index when this process unpacked it (read in the same pass).
    public struct Unpacked: Sendable {
        public var path: String
        public var index: LayerIndex?
    }

    public init(root: String) {
        self.root = root
    }

    public func path(for diffID: Digest) -> String { "\(root)/\(diffID.algorithm)-\(diffID.encoded)" }

    /// Whether the layer with `diffID` is unpacked already.
    public func exists(_ diffID: Digest) -> Bool { FileManager.default.fileExists(atPath: path(for: diffID)) }

    /// The snapshot of the layer with `diffID`, unpacking what `source()` gives if needed: a file,
    /// or a download read as it arrives, which becomes the snapshot only once its bytes matched
    /// their digest (a stream that fails is unpacked again from its fallback file). Two asks for
    /// one layer at once share one unpacking. Throws what reading or placing the layer throws.
    public func snapshot(_ diffID: Digest, source: @escaping @Sendable () async throws -> LayerSource) async throws -> Unpacked {
        let final = path(for: diffID)
        try hold(final)
        if FileManager.default.fileExists(atPath: final) { return Unpacked(path: final, index: nil) }
        return try await unpacking.value(for: diffID) { try await self.unpack(diffID, to: final, source: source) }
    }

    private func unpack(_ diffID: Digest, to final: String, source: @Sendable () async throws -> LayerSource) async throws -> Unpacked {
        let input = try await source()
        // Nobody waits any more (the build stopped): do not start writing a snapshot.
        if Task.isCancelled {
            if case let .stream(stream, _, _) = input { stream.stop("the build stopped") }
            throw CancellationError()
        }
        let temp = "\(root)/.partial-\(UUID().uuidString)"
        let index: LayerIndex
        do {
            // A stream read again from its file starts over in an empty directory.
            index = try await input.read(layer: "with diffID \(diffID)") { input in
                try? FileManager.default.removeItem(atPath: temp)
                return try LayerExtractor.extract(input, into: temp)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        try install(temp, at: final)
        return Unpacked(path: final, index: index)
    }

    /// Keeps a RUN's upper directory (already in overlayfs's format) as the snapshot of the layer
    /// made from it, so the next RUN needs no unpacking.
    public func adopt(_ directory: String, as diffID: Digest) throws {
        let final = path(for: diffID)
        try hold(final)
        try install(directory, at: final)
    }

    private func install(_ directory: String, at final: String) throws {
        if rename(directory, final) != 0 {
            // Someone else made it meanwhile: theirs is as good as ours.
            try? FileManager.default.removeItem(atPath: directory)
            guard FileManager.default.fileExists(atPath: final) else {
                throw SandboxError.snapshot(final, String(cString: strerror(errno)))
            }
        }
    }

    /// Takes the shared lock on `snapshot` for the rest of this process. A lock file that prune
    /// removed while we waited is not the one prune will check next time: open it again.
    private func hold(_ snapshot: String) throws {
        guard held[snapshot] == nil else { return }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        while true {
            let fd = open(snapshot + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SandboxError.snapshot(snapshot, "cannot open its lock: \(String(cString: strerror(errno)))") }
            flock(fd, LOCK_SH)
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(snapshot + ".lock", &current) == 0, opened.st_ino == current.st_ino {
                held[snapshot] = fd
                return
            }
            close(fd)
        }
    }

    public struct PruneReport: Sendable {
        public var removed = 0
        public var bytes: Int64 = 0
        public var inUse = 0
    }

    /// Removes every snapshot no running process holds (this one included, which holds those it used).
    public func prune() throws -> PruneReport {
        var report = PruneReport()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for name in names.sorted() where !name.hasSuffix(".lock") {
            let snapshot = root + "/" + name
            if name.hasPrefix(".trash-") || (name.hasPrefix(".partial-") && isAbandoned(snapshot)) {
                // Left by a prune that was killed, or by a build killed while unpacking.
                report.bytes += Self.diskUsage(snapshot)
                try? FileManager.default.removeItem(atPath: snapshot)
                continue
            }
            if name.hasPrefix(".") { continue }
            let fd = open(snapshot + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard held[snapshot] == nil, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                report.inUse += 1
                continue
            }
            // Renamed first, so no reader ever finds half a snapshot under its final name.
            let trash = root + "/.trash-" + UUID().uuidString
            guard rename(snapshot, trash) == 0 else { continue }
            unlink(snapshot + ".lock")
            report.bytes += Self.diskUsage(trash)
            try? FileManager.default.removeItem(atPath: trash)
            report.removed += 1
        }
        return report
    }

    /// The bytes `path` takes on disk (a file linked twice counts twice).
    public static func diskUsage(_ path: String) -> Int64 {
        var total: Int64 = 0
        var st = stat()
        if lstat(path, &st) == 0 { total += Int64(st.st_blocks) * 512 }
        guard st.st_mode & S_IFMT == S_IFDIR, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return total }
        for name in names { total += diskUsage(path + "/" + name) }
        return total
    }

    /// A temp directory older than a day: no build unpacks one layer that long.
    private func isAbandoned(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return time(nil) - st.st_mtim.tv_sec > 86400
    }
}
