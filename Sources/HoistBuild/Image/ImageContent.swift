import Foundation
import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry

/// An image, or a whole index, as it is stored and moved: the root manifest or index as its exact
/// bytes (so digests never change), the platform manifests an index names, and every blob (configs
/// and layers) as a `LayerRef` whose bytes are fetched only when needed. What every producer gives
/// (a registry or layout read, the assembler, a multi-platform build) and every consumer takes
/// (`ImagePusher`, the OCI and docker archives, the local store, `hoist copy`).
struct ImageContent: Sendable {
    var root: FetchedManifest
    /// Platform manifests of an index, written before it; empty for a single manifest.
    var children: [FetchedManifest]
    var blobs: [LayerRef]

    /// Reads `location`; an index is narrowed to `platform` unless `all`. `scratch` holds an
    /// unpacked archive for as long as the content is used. Throws `TransferError` or `OCILayoutError`.
    static func read(_ location: ImageLocation, registry: RegistryClient, platform: Platform, all: Bool, scratch: String) async throws -> ImageContent {
        switch location {
        case let .registry(reference):
            let (top, endpoint) = try await registry.manifest(for: reference)
            return try await assemble(top, all: all, platform: platform, describe: "\(location)") { descriptor in
                try await registry.manifest(endpoint, reference: descriptor.digest.description)
            } blob: { descriptor in
                LayerRef(descriptor: descriptor, diffID: descriptor.digest, source: .remote(endpoint))
            }
        case let .layout(path, tag):
            return try await read(OCILayout(path: path), tag: tag, location: "\(location)", platform: platform, all: all)
        case let .archive(path, tag):
            let layout = OCILayout(path: scratch + "/archive")
            try await Blocking.run { try layout.untar(from: path) }
            return try await read(layout, tag: tag, location: "\(location)", platform: platform, all: all)
        }
    }

    /// The image `tag` names in `layout` (a ref.name or a digest; the only one when nil).
    static func read(_ layout: OCILayout, tag: String?, location: String, platform: Platform, all: Bool) async throws -> ImageContent {
        let chosen = try layout.select(tag)
        func read(_ descriptor: Descriptor) throws -> FetchedManifest {
            FetchedManifest(bytes: try layout.verifiedBlob(descriptor.digest), mediaType: descriptor.mediaType, digest: descriptor.digest)
        }
        return try await assemble(try read(chosen), all: all, platform: platform, describe: location) { try read($0) } blob: { descriptor in
            LayerRef(descriptor: descriptor, diffID: descriptor.digest, source: .file(layout.blobPath(descriptor.digest)))
        }
    }

    private static func assemble(_ top: FetchedManifest, all: Bool, platform: Platform, describe: String,
                                 manifest: (Descriptor) async throws -> FetchedManifest,
                                 blob: (Descriptor) -> LayerRef) async throws -> ImageContent {
        var root = top
        var children: [FetchedManifest] = []
        if top.mediaType.isIndex {
            let index = try CanonicalJSON.decode(Index.self, from: top.bytes)
            let images = AttestationManifest.images(in: index)
            // One image and its attestations (a single-platform build with provenance) is one
            // image: it moves whole, so the digest the build printed is the one that arrives.
            if all || images.count == 1 {
                for descriptor in index.manifests where descriptor.mediaType.isManifest { children.append(try await manifest(descriptor)) }
            } else {
                guard let chosen = index.manifest(for: platform) else {
                    throw TransferError.notFound(describe, "no image for \(platform); it offers \(images.compactMap { $0.platform?.description }.joined(separator: ", "))")
                }
                root = try await manifest(chosen)
            }
        }
        var blobs: [LayerRef] = []
        var seen: Set<Digest> = []
        for m in children.isEmpty ? [root] : children {
            let parsed = try CanonicalJSON.decode(Manifest.self, from: m.bytes)
            for descriptor in [parsed.config] + parsed.layers where seen.insert(descriptor.digest).inserted {
                blobs.append(blob(descriptor))
            }
        }
        return ImageContent(root: root, children: children, blobs: blobs)
    }

    /// For an index of one image and its attestation manifests: that image alone, with only the
    /// blobs its manifest names (what a docker archive, which has no index, can hold); else nil.
    func imageAlone() throws -> ImageContent? {
        guard root.mediaType.isIndex else { return nil }
        let index = try CanonicalJSON.decode(Index.self, from: root.bytes)
        let images = AttestationManifest.images(in: index)
        guard images.count == 1, let image = children.first(where: { $0.digest == images[0].digest }) else { return nil }
        let manifest = try CanonicalJSON.decode(Manifest.self, from: image.bytes)
        let named = Set(([manifest.config] + manifest.layers).map(\.digest))
        return ImageContent(root: image, children: [], blobs: blobs.filter { named.contains($0.descriptor.digest) })
    }

    /// The root's index entry: media type, digest and size, under `annotations`.
    func descriptor(annotations: [String: String]? = nil) -> Descriptor {
        Descriptor(mediaType: root.mediaType, digest: root.digest, size: Int64(root.bytes.count), annotations: annotations)
    }

    /// Adds the content to `layout` (made if absent): blobs, then manifests, then its index entry
    /// under `annotations` (an entry of the same ref.name is replaced).
    func write(to layout: OCILayout, annotations: [String: String]?, registry: RegistryClient) async throws {
        try layout.create()
        for blob in blobs where !FileManager.default.fileExists(atPath: layout.blobPath(blob.descriptor.digest)) {
            try layout.copyBlob(from: try await blob.localPath(using: registry), digest: blob.descriptor.digest)
        }
        for manifest in children + [root] { try layout.writeBlob(manifest.bytes, digest: manifest.digest) }
        try layout.add(descriptor(annotations: annotations))
    }
}
