import Foundation
import HoistOCI
import HoistLayers
import HoistRegistry

/// An image (or a whole index) to copy: the manifests as their exact bytes, so digests never
/// change, and every blob as a reference until it is needed.
struct SourceImage: Sendable {
    var root: FetchedManifest
    /// Platform manifests of an index, copied before it; empty for a single manifest.
    var children: [FetchedManifest]
    var blobs: [LayerRef]
    /// Where a registry source lives, so a copy within that registry can mount.
    var endpoint: Endpoint?

    /// Reads `location`; an index is narrowed to `platform` unless `all`.
    static func read(_ location: ImageLocation, registry: RegistryClient, platform: Platform, all: Bool, scratch: String) async throws -> SourceImage {
        switch location {
        case let .registry(reference):
            let endpoints = try registry.resolver.pullEndpoints(for: reference, shortName: false)
            let endpoint = endpoints[0]
            let top = try await registry.manifest(endpoint, reference: reference.withDefaultTag.manifestReference)
            return try await assemble(top, all: all, platform: platform, describe: "\(location)", endpoint: endpoint) { descriptor in
                try await registry.manifest(endpoint, reference: descriptor.digest.description)
            } blob: { descriptor in
                LayerRef(descriptor: descriptor, diffID: descriptor.digest, source: .remote(endpoint))
            }
        case let .layout(path, tag):
            return try await readLayout(path, tag: tag, location: "\(location)", platform: platform, all: all)
        case let .archive(path, tag):
            let dir = scratch + "/archive"
            try await Blocking.run { try ArchiveUnpacker.unpack(path, into: dir) }
            return try await readLayout(dir, tag: tag, location: "\(location)", platform: platform, all: all)
        }
    }

    static func readLayout(_ path: String, tag: String?, location: String, platform: Platform, all: Bool) async throws -> SourceImage {
        guard let data = FileManager.default.contents(atPath: path + "/index.json"),
              let index = try? CanonicalJSON.decode(Index.self, from: Array(data)) else {
            throw TransferError.notFound(location, "no readable index.json: not an OCI image layout")
        }
        let matching = index.manifests.filter { tag == nil || $0.annotations?["org.opencontainers.image.ref.name"] == tag }
        guard let chosen = matching.first, tag != nil || matching.count == 1 else {
            throw TransferError.notFound(location, tag.map { "no image tagged \($0)" } ?? "the layout holds \(index.manifests.count) images; name one with :TAG")
        }
        func read(_ descriptor: Descriptor) throws -> FetchedManifest {
            guard let data = FileManager.default.contents(atPath: "\(path)/blobs/\(descriptor.digest.algorithm)/\(descriptor.digest.encoded)") else {
                throw TransferError.notFound(location, "blob \(descriptor.digest) is missing")
            }
            let bytes = Array(data)
            guard Digest.sha256(of: bytes) == descriptor.digest else { throw TransferError.corrupt(location, "blob \(descriptor.digest) does not match its digest") }
            return FetchedManifest(bytes: bytes, mediaType: descriptor.mediaType, digest: descriptor.digest)
        }
        return try await assemble(try read(chosen), all: all, platform: platform, describe: location, endpoint: nil) { try read($0) } blob: { descriptor in
            LayerRef(descriptor: descriptor, diffID: descriptor.digest, source: .file("\(path)/blobs/\(descriptor.digest.algorithm)/\(descriptor.digest.encoded)"))
        }
    }

    private static func assemble(_ top: FetchedManifest, all: Bool, platform: Platform, describe: String, endpoint: Endpoint?,
                                 manifest: (Descriptor) async throws -> FetchedManifest,
                                 blob: (Descriptor) -> LayerRef) async throws -> SourceImage {
        var root = top
        var children: [FetchedManifest] = []
        if top.mediaType.isIndex {
            let index = try CanonicalJSON.decode(Index.self, from: top.bytes)
            if all {
                for descriptor in index.manifests where descriptor.mediaType.isManifest { children.append(try await manifest(descriptor)) }
            } else {
                guard let chosen = index.manifest(for: platform) else {
                    throw TransferError.notFound(describe, "no image for \(platform); it offers \(index.manifests.compactMap { $0.platform?.description }.joined(separator: ", "))")
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
        return SourceImage(root: root, children: children, blobs: blobs, endpoint: endpoint)
    }
}
