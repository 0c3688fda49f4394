import HoistOCI

/// The media types an assembled image is written with. OCI is the default; `--format docker`
/// (buildah's flag; buildx's `oci-mediatypes=false`) writes Docker's schema 2 for registries and
/// tools that predate OCI. Only the JSON names change: layer bytes and digests stay the same.
public enum ImageFormat: String, Sendable {
    case oci
    case docker

    public init(parsing text: String) throws {
        guard let format = ImageFormat(rawValue: text.lowercased()) else {
            throw BuildError.context("--format \(text): expected oci or docker")
        }
        self = format
    }

    var manifestMediaType: MediaType { self == .oci ? .ociManifest : .dockerManifest }
    var indexMediaType: MediaType { self == .oci ? .ociIndex : .dockerManifestList }
    var configMediaType: MediaType { self == .oci ? .ociConfig : .dockerConfig }

    func layerMediaType(for type: MediaType) throws -> MediaType {
        let oci = ImageAssembler.ociMediaType(for: type)
        guard self == .docker else { return oci }
        switch oci.rawValue {
        case MediaType.ociLayerGzip.rawValue: return .dockerLayerGzip
        case MediaType.ociLayer.rawValue: return "application/vnd.docker.image.rootfs.diff.tar"
        case MediaType.ociLayerZstd.rawValue:
            throw BuildError.context("--format docker: Docker's schema 2 has no zstd layers; use gzip (--compression gzip) or the OCI format")
        default: return type
        }
    }
}
