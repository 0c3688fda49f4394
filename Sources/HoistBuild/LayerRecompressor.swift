import HoistLayers
import HoistOCI
import HoistRegistry

/// `force-compression`: base layers whose compression differs from the one asked for are fetched,
/// decompressed and compressed again (same tar, same diffID, new digest); layers already in that
/// compression are left as they are, as buildx does.
struct LayerRecompressor {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    func convert(_ layers: [LayerRef], to compression: LayerCompression) async throws -> [LayerRef] {
        var result: [LayerRef] = []
        for layer in layers {
            let current = ImageAssembler.ociMediaType(for: layer.descriptor.mediaType)
            guard current != compression.mediaType else { result.append(layer); continue }
            let path = try await layer.localPath(using: registry)
            let store = registry.store
            let diffID = layer.diffID
            let built = try await Blocking.run { try LayerBuilder.recompress(blob: path, diffID: diffID, into: store, compression: compression) }
            log("  recompressed \(layer.descriptor.digest.encoded.prefix(12)) (\(current)) as \(built.descriptor.digest.encoded.prefix(12)) (\(compression.mediaType))")
            result.append(LayerRef(descriptor: built.descriptor, diffID: built.diffID, source: .store))
        }
        return result
    }
}
