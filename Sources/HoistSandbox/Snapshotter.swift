import Foundation
import HoistLayers
import HoistOCI

/// Each layer unpacked once per diffID under `$HOIST_ROOT/snapshots`, in overlayfs's format, and
/// kept: the next RUN on the same base mounts the same directories. A snapshot appears under its
/// final name only when complete (extracted into a temp directory, then renamed).
public actor Snapshotter {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func path(for diffID: Digest) -> String { "\(root)/\(diffID.algorithm)-\(diffID.encoded)" }

    /// The snapshot of the layer with `diffID`, unpacking the blob `blob()` gives if needed.
    public func snapshot(_ diffID: Digest, blob: @Sendable () async throws -> String) async throws -> String {
        let final = path(for: diffID)
        if FileManager.default.fileExists(atPath: final) { return final }
        let blobPath = try await blob()
        let temp = "\(root)/.partial-\(UUID().uuidString)"
        do {
            try await Blocking.run { try LayerExtractor.extract(blob: blobPath, into: temp) }
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        try install(temp, at: final)
        return final
    }

    /// Keeps a RUN's upper directory (already in overlayfs's format) as the snapshot of the layer
    /// made from it, so the next RUN needs no unpacking.
    public func adopt(_ directory: String, as diffID: Digest) throws {
        try install(directory, at: path(for: diffID))
    }

    private func install(_ directory: String, at final: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if rename(directory, final) != 0 {
            // Someone else made it meanwhile: theirs is as good as ours.
            try? FileManager.default.removeItem(atPath: directory)
            guard FileManager.default.fileExists(atPath: final) else {
                throw SandboxError.snapshot(final, String(cString: strerror(errno)))
            }
        }
    }
}
