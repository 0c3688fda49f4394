import Foundation
import HoistContent
import HoistOCI
import HoistRegistry

/// `--cache-to`: writes the steps a build did as one cache manifest, BuildKit's envelope (an OCI
/// image manifest whose config is `CacheConfig`, or with `image-manifest=false` an index), whose
/// layers are the steps' layers and the layer indexes the build read. It goes out like an image
/// (`ImagePusher`: blobs, mounted where they already are, then the manifest last), so two builds
/// exporting to one ref leave the last one's complete cache, never a mix.
struct CacheExporter {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    /// Exports `steps` (mode=min: only those whose layer is in `finalLayers`), `indexes`
    /// (`LayerIndexFile` bytes by layer digest) and the images' `created` times to `spec`'s
    /// location. Throws the registry's, layout's or store's error.
    func export(_ steps: [(record: CacheRecord, layer: LayerRef)], finalLayers: Set<Digest>,
                indexes: [(layer: Digest, bytes: [UInt8])], created: [String: String], to spec: CacheSpec) async throws {
        let kept = spec.mode == .max ? steps : steps.filter { finalLayers.contains($0.layer.descriptor.digest) }
        var layers: [CacheConfig.Layer] = []
        var records: [CacheConfig.Record] = []
        var extension_ = CacheConfig.Extension(version: 1, steps: [], indexes: [], created: created.isEmpty ? nil : created)
        var blobs: [LayerRef] = []
        var layerIndex: [Digest: Int] = [:]
        for (record, layer) in kept {
            let digest = layer.descriptor.digest
            let index = layerIndex[digest] ?? layers.count
            if index == layers.count {
                layerIndex[digest] = index
                layers.append(CacheConfig.Layer(blob: digest.description, parent: -1, annotations: CacheConfig.Annotations(
                    mediaType: layer.descriptor.mediaType.rawValue, diffID: layer.diffID.description, size: layer.descriptor.size)))
                blobs.append(layer)
            }
            extension_.steps.append(CacheConfig.Extension.Step(record: records.count, step: record.step, inputs: record.inputs))
            records.append(CacheConfig.Record(layers: [CacheConfig.Record.Result(layer: index)], digest: "sha256:" + record.key))
        }
        let store = registry.store
        for (layer, bytes) in indexes {
            let digest = try store.ingest(bytes, source: "index of \(layer)")
            extension_.indexes.append(CacheConfig.Extension.IndexBlob(layer: layer.description, blob: digest.description))
            blobs.append(LayerRef(descriptor: Descriptor(mediaType: CacheConfig.indexMediaType, digest: digest, size: Int64(bytes.count)),
                                  diffID: digest, source: .store))
        }
        let config = CacheConfig(layers: layers, records: records, hoist: extension_)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let configBytes = Array(try encoder.encode(config))
        let configDescriptor = Descriptor(mediaType: CacheConfig.mediaType, digest: try store.ingest(configBytes, source: "cache config"),
                                          size: Int64(configBytes.count))
        let root: FetchedManifest
        if spec.imageManifest {
            let bytes = try CanonicalJSON.encode(Manifest(config: configDescriptor, layers: blobs.map(\.descriptor)))
            root = FetchedManifest(bytes: bytes, mediaType: .ociManifest, digest: Digest.sha256(of: bytes))
        } else {
            let bytes = try CanonicalJSON.encode(Index(manifests: blobs.map(\.descriptor) + [configDescriptor]))
            root = FetchedManifest(bytes: bytes, mediaType: .ociIndex, digest: Digest.sha256(of: bytes))
        }
        let content = ImageContent(root: root, children: [],
                                   blobs: [LayerRef(descriptor: configDescriptor, diffID: configDescriptor.digest, source: .store)] + blobs)
        switch spec.location {
        case let .registry(reference):
            try await ImagePusher(registry: registry, log: log).push(content, to: reference)
        case let .local(directory, tag):
            try await content.write(to: OCILayout(path: directory), annotations: [OCILayout.refNameAnnotation: tag], registry: registry)
        }
        log("cache: exported \(kept.count) step(s), \(indexes.count) layer index(es) to \(spec.location) (mode=\(spec.mode.rawValue))")
    }
}
