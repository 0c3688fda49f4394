import Foundation
import HoistOCI
import HoistRegistry

/// `hoist imagetools create`, as buildx's: one index over the platform manifests of several images
/// (each a manifest or an index, typically one per machine that built a platform, pushed by
/// digest), pushed to each target. Manifests are copied by digest and blobs mounted (or streamed
/// from another registry), never downloaded; only a single manifest's config is read, for its platform.
public struct IndexComposer {
    public let registry: RegistryClient
    let log: @Sendable (String) -> Void

    public init(registry: RegistryClient, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.registry = registry
        self.log = log
    }

    /// The index over `sources` (and, with `append`, what the first target holds now), with
    /// `annotations` on it, pushed to every target; `dryRun` only returns it. Returns the index's digest and
    /// bytes. The same manifest twice is one entry. Throws `TransferError` when there is no
    /// manifest at all, or the registry's error.
    public func create(sources: [Reference], targets: [Reference], append: Bool, annotations: [String: String],
                       dryRun: Bool) async throws -> (digest: Digest, bytes: [UInt8]) {
        var entries: [Descriptor] = []
        var children: [FetchedManifest] = []
        var blobs: [LayerRef] = []
        var seenBlobs: Set<Digest> = []
        var inputs = sources
        if append, let first = targets.first { inputs.insert(first, at: 0) }
        for (n, source) in inputs.enumerated() {
            let scratch = try registry.store.scratchDirectory("imagetools")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let content: ImageContent
            do {
                content = try await ImageContent.read(.registry(source), registry: registry, platform: .host, all: true, scratch: scratch)
            } catch RegistryError.notFound where append && n == 0 {
                continue
            }
            // An index's entries are kept as they are (platform, annotations, attestation
            // manifests); a single manifest gets the platform its config names.
            var described: [Digest: Descriptor] = [:]
            if content.root.mediaType.isIndex {
                for entry in try CanonicalJSON.decode(Index.self, from: content.root.bytes).manifests { described[entry.digest] = entry }
            }
            for manifest in content.children.isEmpty ? [content.root] : content.children {
                // As buildx: the same manifest twice is one entry; two for one platform are both kept.
                guard !entries.contains(where: { $0.digest == manifest.digest }) else { continue }
                var entry: Descriptor
                if let known = described[manifest.digest] {
                    entry = known
                } else {
                    let parsed = try CanonicalJSON.decode(Manifest.self, from: manifest.bytes)
                    guard let config = content.blobs.first(where: { $0.descriptor.digest == parsed.config.digest }) else { continue }
                    let platform = try CanonicalJSON.decode(ImageConfig.self, from: try await config.bytes(using: registry)).platform
                    entry = Descriptor(mediaType: manifest.mediaType, digest: manifest.digest, size: Int64(manifest.bytes.count), platform: platform.normalized)
                }
                if entries.contains(where: { $0.platform != nil && $0.platform == entry.platform }) {
                    log("\(source): a second manifest for \(entry.platform!) goes into the index (as buildx keeps both)")
                }
                entries.append(entry)
                children.append(manifest)
            }
            for blob in content.blobs where seenBlobs.insert(blob.descriptor.digest).inserted { blobs.append(blob) }
        }
        guard !entries.isEmpty else { throw TransferError.notFound("\(sources.map(\.description).joined(separator: " "))", "no image manifests to put in an index") }
        // A Docker manifest list only when every manifest is Docker's, as buildx does.
        let docker = entries.allSatisfy { $0.mediaType == .dockerManifest }
        let index = Index(mediaType: docker ? .dockerManifestList : .ociIndex, manifests: entries,
                          annotations: annotations.isEmpty ? nil : annotations)
        let bytes = try CanonicalJSON.encode(index)
        let digest = Digest.sha256(of: bytes)
        if dryRun { return (digest, bytes) }
        let root = FetchedManifest(bytes: bytes, mediaType: index.mediaType!, digest: digest)
        let referenced = Set(children.flatMap { child in
            (try? CanonicalJSON.decode(Manifest.self, from: child.bytes)).map { [$0.config.digest] + $0.layers.map(\.digest) } ?? []
        })
        let content = ImageContent(root: root, children: children, blobs: blobs.filter { referenced.contains($0.descriptor.digest) })
        let pusher = ImagePusher(registry: registry, log: log)
        for target in targets { try await pusher.push(content, to: target) }
        return (digest, bytes)
    }
}
