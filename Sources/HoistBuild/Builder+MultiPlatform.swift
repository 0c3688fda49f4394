import Foundation
import HoistOCI
import HoistRegistry

extension Builder {
    /// Several platforms: an OCI index over the images, pushed after them (each manifest by digest,
    /// the index under the tags), written whole into an OCI archive, kept whole in the local store.
    func finishMultiPlatform(_ images: [AssembledImage], platforms: [Platform], wantsPush: Bool, keepLocally: Bool) async throws -> BuildResult {
        let indexType = options.format.indexMediaType
        let index = Index(mediaType: indexType, manifests: zip(images, platforms).map { image, platform in
            Descriptor(mediaType: image.mediaType, digest: image.manifestDigest, size: Int64(image.manifestBytes.count), platform: platform.normalized)
        }, annotations: options.indexAnnotations.isEmpty ? nil : options.indexAnnotations)
        let indexBytes = try CanonicalJSON.encode(index)
        let indexDigest = try store.ingest(indexBytes, source: "image index")
        log("index \(indexDigest)")
        var blobs: [LayerRef] = []
        var seen: Set<Digest> = []
        for blob in images.flatMap(\.blobs) where seen.insert(blob.descriptor.digest).inserted { blobs.append(blob) }
        let content = ImageContent(root: FetchedManifest(bytes: indexBytes, mediaType: indexType, digest: indexDigest),
                                   children: images.map(\.content.root), blobs: blobs)
        var pushed: [Reference] = []
        if wantsPush {
            let pusher = ImagePusher(registry: registry, log: log)
            for tag in pushTargets(indexDigest) {
                try await pusher.push(content, to: tag)
                pushed.append(tag)
            }
        }
        for output in options.outputs {
            switch output {
            case .registry: continue
            case let .ociArchive(dest):
                try await OCIArchiveExporter(registry: registry).write(content, tags: options.tags, to: dest)
            case let .local(dest):
                for (image, platform) in zip(images, platforms) {
                    let scratch = store.root.appendingPathComponent("ingest/rootfs-\(UUID().uuidString)").path
                    defer { try? FileManager.default.removeItem(atPath: scratch) }
                    let name = [platform.os, platform.architecture, platform.variant].compactMap { $0 }.joined(separator: "_")
                    try await RootfsExporter(sources: ImageSources(registry: registry, platform: platform, indexCache: indexCache), scratch: scratch)
                        .writeDirectory(image.layers, to: dest + "/" + name)
                }
            case .dockerArchive, .tar:
                throw BuildError.context("--output \(output): holds one platform's image; build one --platform for it, or use type=oci or type=local")
            }
            log("wrote \(output)")
        }
        if keepLocally {
            for layer in content.blobs { try await layer.localize(using: registry) }
            for tag in options.tags {
                try LocalImages(root: store.root).record(tag.withDefaultTag, manifest: content.descriptor())
            }
        }
        try writeRecords(config: nil, manifest: indexDigest, size: indexBytes.count, mediaType: indexType)
        return BuildResult(image: images[0], images: images, index: (indexDigest, indexBytes), pushed: pushed, stats: await registry.stats)
    }
}
