import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry
import HoistSandbox

/// External images a build uses (FROM bases and COPY --from images), each resolved once to
/// manifest + config, and the FilesystemViews over any layer stack.
actor ImageSources {
    let registry: RegistryClient
    let platform: Platform
    let indexCache: LayerIndexCache
    /// The outputs will read the base layers' blobs (an archive, the local store, a root
    /// filesystem): a layer read as it downloads (unpacked, or indexed) is stored on the way, not
    /// downloaded again.
    nonisolated let storesBaseBlobs: Bool
    let progress: BuildProgress?
    /// The platform progress names in a multi-platform build (`[linux/arm64 internal] …`).
    let label: Platform?
    private var resolved: [String: ResolvedImage] = [:]
    private let resolving = SharedTasks<String, ResolvedImage>()
    /// Each image resolved, by the name the Dockerfile gave, and what ADD fetched: provenance's dependencies.
    private var dependencyList: [ResolvedDependency] = []

    /// `indexCache`: the build's one cache of layer indexes, shared by its platforms.
    init(registry: RegistryClient, platform: Platform, indexCache: LayerIndexCache, progress: BuildProgress? = nil, label: Platform? = nil,
         storesBaseBlobs: Bool = false) {
        self.registry = registry
        self.storesBaseBlobs = storesBaseBlobs
        self.platform = platform
        self.indexCache = indexCache
        self.progress = progress
        self.label = label
    }

    /// Resolves `text` (as written in the Dockerfile) to an image for `platform`, once however
    /// many stages ask at the same time; progress shows it as `[internal] load metadata for REF`.
    func image(_ text: String, platform: Platform? = nil) async throws -> ResolvedImage {
        let platform = platform ?? self.platform
        let key = "\(text) \(platform)"
        if let hit = resolved[key] { return hit }
        let reference = try Reference(parsing: text)
        let registry = self.registry, progress = self.progress, label = self.label
        let image = try await resolving.value(for: key) {
            let resolve = { try await registry.resolve(reference, shortName: EndpointResolver.isShortName(text), platform: platform) }
            guard let vertex = progress?.start(StageLabel.internal("load metadata for \(reference.withDefaultTag)", platform: label))
            else { return try await resolve() }
            return try await vertex.run(resolve)
        }
        if resolved[key] == nil {
            record(ResolvedDependency(uri: PackageURL.docker(reference, platform: platform),
                                      digest: [image.manifestDigest.algorithm: image.manifestDigest.encoded]))
        }
        resolved[key] = image
        return image
    }

    /// Notes something else the build read from outside (an ADD URL or git repository); the same
    /// one twice is listed once.
    func record(_ dependency: ResolvedDependency) {
        if !dependencyList.contains(dependency) { dependencyList.append(dependency) }
    }

    /// Every image resolved and everything recorded, sorted by URI then digest: stages and
    /// prefetches finish in any order, and a reproducible build's provenance must not.
    func dependencies() -> [ResolvedDependency] {
        dependencyList.sorted { ($0.uri ?? "", $0.digest?.description ?? "") < ($1.uri ?? "", $1.digest?.description ?? "") }
    }

    /// The layer digests of every image resolved so far: what the transfer summary calls base layers.
    func baseLayers() -> Set<Digest> {
        Set(resolved.values.flatMap { $0.manifest.layers.map(\.digest) })
    }

    /// A stage state whose layers are still references into `image`'s repository.
    static func state(of image: ResolvedImage) throws -> StageState {
        let diffIDs = image.config.rootfs.diffIDs
        guard diffIDs.count == image.manifest.layers.count else {
            throw RegistryError.badResponse(endpoint: image.endpoint,
                                            detail: "\(image.reference) lists \(image.manifest.layers.count) layers but its config has \(diffIDs.count) diff_ids")
        }
        let layers = zip(image.manifest.layers, diffIDs).map { LayerRef(descriptor: $0, diffID: $1, source: .remote(image.endpoint)) }
        return StageState(config: image.config, layers: layers)
    }

    /// A view over `layers` that fetches a remote layer's blob only when a question needs it.
    /// `storeBlobs`: bodies will be read from these layers (a COPY --from or a rootfs export copies
    /// files out), so reading one for its index stores it on the way instead of downloading it
    /// twice; so do the outputs' needs (`storesBaseBlobs`). `unpackInto`: a RUN will unpack these
    /// layers, so a question about one unpacks it there and takes the index read on the way: the
    /// download is read once, and its blob stored only when the outputs need it.
    nonisolated func view(over layers: [LayerRef], storeBlobs: Bool = false, unpackInto snapshotter: Snapshotter? = nil) -> FilesystemView {
        let registry = self.registry
        return FilesystemView(layers: layers.map { layer in
            FilesystemView.Layer(descriptor: layer.descriptor, blobPath: {
                try await layer.localPath(using: registry)
            }, indexSource: {
                // An existing snapshot gives no index: its layer is read as any other.
                if let snapshotter, let index = try await self.unpack(layer, into: snapshotter).index {
                    return .indexed(index)
                }
                // Indexed as it downloads; the blob is in the store by the time the index is done.
                return try await self.source(of: layer, storing: storeBlobs || self.storesBaseBlobs)
            })
        }, cache: indexCache)
    }

    /// Where to read `layer` once, front to back: a remote layer not in the store as it downloads
    /// (the temp file only if that stream fails), stored on the way when `storing`; otherwise its
    /// blob in the store, put there if needed.
    nonisolated func source(of layer: LayerRef, storing: Bool = false) async throws -> LayerSource {
        let registry = self.registry
        guard case let .remote(endpoint) = layer.source, !registry.store.contains(layer.descriptor.digest) else {
            return .file(path: try await layer.localPath(using: registry), temporary: false)
        }
        let stream = BlobStream()
        registry.startDownload(layer.descriptor, from: endpoint, into: stream, storing: storing)
        return .stream(stream, label: "layer \(layer.descriptor.digest)") {
            storing ? (try await layer.localPath(using: registry), false) : (try await registry.fetchBlobToTemporaryFile(layer.descriptor, from: endpoint), true)
        }
    }

    /// `layer`'s snapshot, unpacked from its download (or its blob) if it is not there yet; the
    /// index read on the way joins the build's index cache, so no question reads the layer again.
    nonisolated func unpack(_ layer: LayerRef, into snapshotter: Snapshotter) async throws -> Snapshotter.Unpacked {
        let unpacked = try await snapshotter.snapshot(layer.diffID) { try await self.source(of: layer, storing: self.storesBaseBlobs) }
        if let index = unpacked.index { await indexCache.insert(index, for: layer.descriptor.digest) }
        return unpacked
    }
}
