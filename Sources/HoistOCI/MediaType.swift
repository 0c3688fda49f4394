/// The media types Hoist reads and writes: OCI image-spec and Docker image manifest v2 schema 2.
public struct MediaType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
    public var description: String { rawValue }

    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    /// The empty descriptor's type: a config of `{}` for an artifact (image-spec manifest.md).
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerSchema1: MediaType = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed: MediaType = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    public var isIndex: Bool { self == .ociIndex || self == .dockerManifestList }
    public var isManifest: Bool { self == .ociManifest || self == .dockerManifest }
    public var isSchema1: Bool { self == .dockerSchema1 || self == .dockerSchema1Signed }

    /// Every manifest kind Hoist understands, for the Accept header.
    public static let acceptedManifests: [MediaType] = [.ociIndex, .ociManifest, .dockerManifestList, .dockerManifest]
}
