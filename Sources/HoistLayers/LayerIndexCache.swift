import HoistOCI

/// Layer indexes by layer digest, shared by every view in a build, so a base layer's headers are
/// read at most once however many stages and COPY instructions ask about it.
public actor LayerIndexCache {
    private var indexes: [Digest: LayerIndex] = [:]

    public init() {}

    func index(for digest: Digest, blobPath: @Sendable () async throws -> String) async throws -> LayerIndex {
        if let cached = indexes[digest] { return cached }
        let path = try await blobPath()
        let index = try await Blocking.run { try LayerIndex(reading: path) }
        indexes[digest] = index
        return index
    }
}
