import HoistContent
import HoistOCI
import HoistRegistry

/// The finished image: config and manifest bytes (in the store), and the layers they name.
public struct AssembledImage: Sendable {
    public var manifest: Manifest
    public var manifestBytes: [UInt8]
    public var manifestDigest: Digest
    public var configBytes: [UInt8]
    public var layers: [LayerRef]
}

extension AssembledImage {
    /// The config, moved alongside the layers (a config has no diffID; the slot holds its digest).
    /// It lists the layers' diffIDs, so a unique layer makes it unique too; `{}` never is.
    var configBlob: LayerRef {
        LayerRef(descriptor: manifest.config, diffID: manifest.config.digest, source: .store,
                 isUnique: manifest.config.mediaType != .ociEmpty && layers.contains(where: \.isUnique))
    }

    /// Every blob the manifest names.
    var blobs: [LayerRef] { layers + [configBlob] }

    /// OCI, or Docker's schema 2 with `--format docker`.
    public var mediaType: MediaType { manifest.mediaType ?? .ociManifest }

    /// The image as something to push or write out: the exact manifest bytes and its blobs.
    var content: ImageContent {
        ImageContent(root: FetchedManifest(bytes: manifestBytes, mediaType: mediaType, digest: manifestDigest), children: [], blobs: blobs)
    }
}

/// Turns a stage's final state into config and manifest blobs. Base layers keep their digests;
/// their media types are rewritten to the chosen format's (same bytes): OCI by default, Docker's
/// schema 2 with `--format docker`.
enum ImageAssembler {
    static func assemble(_ state: StageState, store: ContentStore, format: ImageFormat = .oci,
                         annotations: [String: String] = [:]) throws -> AssembledImage {
        let configBytes = try CanonicalJSON.encode(state.config)
        let configDigest = try store.ingest(configBytes, source: "image config")
        let layers = try state.layers.map { ref -> LayerRef in
            var r = ref
            r.descriptor.mediaType = try format.layerMediaType(for: ref.descriptor.mediaType)
            r.descriptor.annotations = nil
            r.descriptor.platform = nil
            return r
        }
        let manifest = Manifest(mediaType: format.manifestMediaType,
                                config: Descriptor(mediaType: format.configMediaType, digest: configDigest, size: Int64(configBytes.count)),
                                layers: layers.map(\.descriptor), annotations: annotations.isEmpty ? nil : annotations)
        let manifestBytes = try CanonicalJSON.encode(manifest)
        let manifestDigest = try store.ingest(manifestBytes, source: "image manifest")
        return AssembledImage(manifest: manifest, manifestBytes: manifestBytes, manifestDigest: manifestDigest,
                              configBytes: configBytes, layers: layers)
    }

    static func ociMediaType(for type: MediaType) -> MediaType {
        switch type.rawValue {
        case MediaType.dockerLayerGzip.rawValue: .ociLayerGzip
        case "application/vnd.docker.image.rootfs.diff.tar": .ociLayer
        case "application/vnd.docker.image.rootfs.diff.tar.zstd": .ociLayerZstd
        default: type
        }
    }
}
