import Foundation
import HoistOCI

/// Layer indexes by layer digest, shared by every view in a build, so a base layer's headers are
/// read at most once however many stages and COPY instructions ask about it. With a directory the
/// indexes also persist (`$HOIST_ROOT/indexes`): a layer is content-addressed, so its index never
/// goes stale, and a base indexed once is never read again on this machine.
public actor LayerIndexCache {
    private var indexes: [Digest: LayerIndex] = [:]
    private let directory: String?

    public init(directory: String? = nil) {
        self.directory = directory
    }

    func index(for digest: Digest, source: @Sendable () async throws -> (path: String, temporary: Bool)) async throws -> LayerIndex {
        if let cached = indexes[digest] { return cached }
        let file = directory.map { "\($0)/v3/\(digest.algorithm)-\(digest.encoded)" }
        if let file, let data = FileManager.default.contents(atPath: file), let stored = LayerIndexFile.decode(Array(data)) {
            indexes[digest] = stored
            return stored
        }
        let (path, temporary) = try await source()
        defer { if temporary { unlink(path) } }
        let index = try await Blocking.run { try LayerError.naming(layer: digest.description) { try LayerIndex(reading: path) } }
        indexes[digest] = index
        if let file { CacheFile.write(Data(LayerIndexFile.encode(index)), to: file) }
        return index
    }
}
