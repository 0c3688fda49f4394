import Foundation
import HoistContent
import HoistOCI

/// The attestations of one image as a manifest, in either of the two places they are kept:
/// - inside the image index, as buildx stores them: an OCI manifest whose config says
///   `unknown/unknown` and whose layers are in-toto statements, listed in the index under platform
///   `unknown/unknown` with `vnd.docker.reference.type=attestation-manifest` and
///   `vnd.docker.reference.digest` (BuildKit's docs/attestations/attestation-storage.md);
/// - as an OCI 1.1 referrer (image-spec manifest.md `subject`, `artifactType`) of the image
///   manifest, found with the referrers API or its tag fallback.
enum AttestationManifest {
    static let layerMediaType: MediaType = "application/vnd.in-toto+json"
    static let artifactType = "application/vnd.docker.attestation.manifest.v1+json"

    /// One in-toto statement's bytes and its predicate type (the layer's annotation); `isUnique`
    /// when the bytes hold a random invocation ID, so no registry can have them yet.
    struct Statement: Sendable {
        var predicateType: String
        var bytes: [UInt8]
        var isUnique = false
    }

    /// The manifest attesting `image`, its config and statements stored in `store`.
    static func make(_ statements: [Statement], for image: AssembledImage, asReferrer: Bool, store: ContentStore) throws -> AssembledImage {
        var layers: [LayerRef] = []
        for statement in statements {
            let digest = try store.ingest(statement.bytes, source: "attestation")
            let descriptor = Descriptor(mediaType: layerMediaType, digest: digest, size: Int64(statement.bytes.count),
                                        annotations: ["in-toto.io/predicate-type": statement.predicateType])
            layers.append(LayerRef(descriptor: descriptor, diffID: digest, source: .store, isUnique: statement.isUnique))
        }
        let configBytes: [UInt8]
        let configType: MediaType
        if asReferrer {
            configBytes = Array("{}".utf8)
            configType = .ociEmpty
        } else {
            var config = ImageConfig(platform: Platform(os: "unknown", architecture: "unknown"))
            config.config = ContainerConfig()
            config.rootfs = ImageConfig.RootFS(diffIDs: layers.map(\.diffID))
            configBytes = try CanonicalJSON.encode(config)
            configType = .ociConfig
        }
        let configDigest = try store.ingest(configBytes, source: "attestation config")
        var manifest = Manifest(config: Descriptor(mediaType: configType, digest: configDigest, size: Int64(configBytes.count)),
                                layers: layers.map(\.descriptor))
        if asReferrer {
            manifest.artifactType = artifactType
            manifest.subject = Descriptor(mediaType: image.mediaType, digest: image.manifestDigest, size: Int64(image.manifestBytes.count))
        }
        let bytes = try CanonicalJSON.encode(manifest)
        let digest = try store.ingest(bytes, source: "attestation manifest")
        return AssembledImage(manifest: manifest, manifestBytes: bytes, manifestDigest: digest, configBytes: configBytes, layers: layers)
    }

    static let referenceType = "vnd.docker.reference.type"
    static let referenceDigest = "vnd.docker.reference.digest"

    /// The attestation manifest's entry in the image index, pointing at the image it attests.
    static func indexEntry(_ attestation: AssembledImage, attesting image: Digest) -> Descriptor {
        Descriptor(mediaType: .ociManifest, digest: attestation.manifestDigest, size: Int64(attestation.manifestBytes.count),
                   annotations: [referenceDigest: image.description, referenceType: "attestation-manifest"],
                   platform: Platform(os: "unknown", architecture: "unknown"))
    }

    /// Whether an index entry is an attestation manifest, by buildx's annotation.
    static func isAttestation(_ entry: Descriptor) -> Bool {
        entry.annotations?[referenceType] == "attestation-manifest"
    }

    /// The image manifests an index lists, its attestation manifests left out.
    static func images(in index: Index) -> [Descriptor] {
        index.manifests.filter { $0.mediaType.isManifest && !isAttestation($0) }
    }
}
