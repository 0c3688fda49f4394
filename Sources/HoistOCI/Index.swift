/// An image index (OCI) or manifest list (Docker): one manifest per platform.
public struct Index: Codable, Hashable, Sendable {
    public var schemaVersion: Int = 2
    public var mediaType: MediaType?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: MediaType? = .ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The manifest for `platform`: an exact variant match wins over a variant-less one.
    public func manifest(for platform: Platform) -> Descriptor? {
        let candidates = manifests.filter { $0.mediaType.isManifest && ($0.platform?.matches(platform) ?? false) }
        return candidates.first { $0.platform?.normalized.variant == platform.normalized.variant } ?? candidates.first
    }
}
