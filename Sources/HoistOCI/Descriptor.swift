/// A reference to content by digest, as in image-spec's descriptor.md.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: MediaType
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    /// OCI 1.1: the artifact type of the manifest described, in a referrers list.
    public var artifactType: String?

    public init(mediaType: MediaType, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}
