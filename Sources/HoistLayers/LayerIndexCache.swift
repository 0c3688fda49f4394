import Foundation
import HoistContent
import HoistOCI

/// Layer indexes by layer digest, shared by every view in a build, so a base layer's headers are
/// read at most once however many stages and COPY instructions ask about it. With a directory the
/// indexes also persist (`$HOIST_ROOT/indexes`): a layer is content-addressed, so its index never
/// goes stale, and a base indexed once is never read again on this machine. One cache serves a
/// whole build, every platform: a layer two platforms share (an image of one platform used by
/// both) is read once, and concurrent asks for one layer share that one read.
public actor LayerIndexCache {
    private var indexes: [Digest: LayerIndex] = [:]
    private let reading = SharedTasks<Digest, LayerIndex>()
    private let directory: String?
    /// Indexes another machine made, by layer digest: fetched (small) instead of reading the layer.
    private var offered: [Digest: @Sendable () async throws -> [UInt8]] = [:]
    /// Told when an offered index cannot be used; the layer is read instead.
    private var warn: @Sendable (String) -> Void = { _ in }

    public init(directory: String? = nil) {
        self.directory = directory
    }

    func index(for digest: Digest, source: @escaping @Sendable () async throws -> LayerSource) async throws -> LayerIndex {
        if let cached = indexes[digest] { return cached }
        let index = try await reading.value(for: digest) { try await self.load(digest, source: source) }
        indexes[digest] = index
        return index
    }

    /// Where the index of the layer `digest` persists, when this cache persists.
    private func file(for digest: Digest) -> String? {
        directory.map { "\($0)/v3/\(digest.algorithm)-\(digest.encoded)" }
    }

    /// The index from disk, from an offered cache, or by reading the layer's headers.
    private func load(_ digest: Digest, source: @Sendable () async throws -> LayerSource) async throws -> LayerIndex {
        let file = file(for: digest)
        if let file, let data = FileManager.default.contents(atPath: file), let stored = LayerIndexFile.decode(Array(data)) {
            return stored
        }
        if let fetch = offered[digest] {
            do {
                let bytes = try await fetch()
                guard let index = LayerIndexFile.decode(bytes) else { throw LayerError.io(path: "index of \(digest)", message: "not a layer index") }
                if let file { CacheFile.write(Data(bytes), to: file) }
                return index
            } catch {
                warn("the cached index of layer \(digest) cannot be used (\(error)); reading the layer instead")
            }
        }
        let source = try await source()
        if case let .indexed(index) = source { return index }  // persisted by `insert`
        let index = try await source.read(layer: digest.description) { try LayerIndex(reading: $0) }
        persist(index, for: digest)
        return index
    }

    /// Writes `index` where it persists, when this cache persists.
    private func persist(_ index: LayerIndex, for digest: Digest) {
        if let file = file(for: digest) { CacheFile.write(Data(LayerIndexFile.encode(index)), to: file) }
    }

    /// Keeps `index`, read by someone who had the layer's bytes anyway (a snapshot's unpacking),
    /// so no question about the layer reads it again; persisted as a read index is.
    public func insert(_ index: LayerIndex, for digest: Digest) {
        guard indexes[digest] == nil else { return }
        indexes[digest] = index
        persist(index, for: digest)
    }

    /// Offers indexes from a build cache (`fetch` gives a `LayerIndexFile`'s bytes); one already
    /// here is not replaced. `warn` hears about an offer that fails.
    public func offer(_ fetches: [Digest: @Sendable () async throws -> [UInt8]], warn: @escaping @Sendable (String) -> Void) {
        offered.merge(fetches) { old, _ in old }
        self.warn = warn
    }

    /// Every index this cache has served, as `LayerIndexFile` bytes by layer digest: what a
    /// build cache export carries.
    public func served() -> [(layer: Digest, bytes: [UInt8])] {
        indexes.sorted { $0.key.description < $1.key.description }.map { ($0.key, LayerIndexFile.encode($0.value)) }
    }
}
