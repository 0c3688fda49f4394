import Foundation
import HoistOCI
import HoistRegistry

extension Builder {
    /// An index over `images` (one per platform, in order) and, after them, the attestation
    /// manifests that point at them (`attestations`, one per image, or none), as buildx lays it
    /// out; stored, and returned as what a push or an archive takes.
    func indexContent(_ images: [AssembledImage], platforms: [Platform], attestations: [AssembledImage]) throws -> ImageContent {
        let indexType = options.format.indexMediaType
        var entries = zip(images, platforms).map { image, platform in
            Descriptor(mediaType: image.mediaType, digest: image.manifestDigest, size: Int64(image.manifestBytes.count), platform: platform.normalized)
        }
        entries += zip(attestations, images).map { AttestationManifest.indexEntry($0, attesting: $1.manifestDigest) }
        let index = Index(mediaType: indexType, manifests: entries, annotations: options.indexAnnotations.isEmpty ? nil : options.indexAnnotations)
        let indexBytes = try CanonicalJSON.encode(index)
        let indexDigest = try store.ingest(indexBytes, source: "image index")
        log("index \(indexDigest)")
        var blobs: [LayerRef] = []
        var seen: Set<Digest> = []
        for blob in (images + attestations).flatMap(\.blobs) where seen.insert(blob.descriptor.digest).inserted { blobs.append(blob) }
        return ImageContent(root: FetchedManifest(bytes: indexBytes, mediaType: indexType, digest: indexDigest),
                            children: (images + attestations).map(\.content.root), blobs: blobs)
    }

    /// Pushes each attestation manifest by digest next to the image it attests, and makes it a
    /// referrer of that image (the referrers API, or its tag fallback).
    func pushReferrers(_ attestations: [AssembledImage], to targets: [Reference]) async throws {
        let pusher = ImagePusher(registry: registry, log: log)
        for target in targets {
            for attestation in attestations {
                let endpoint = try await pusher.push(attestation.content, to: Reference(domain: target.domain, path: target.path, digest: attestation.manifestDigest))
                guard let subject = attestation.manifest.subject else { continue }
                var descriptor = Descriptor(mediaType: attestation.mediaType, digest: attestation.manifestDigest, size: Int64(attestation.manifestBytes.count),
                                            annotations: attestation.manifest.annotations)
                descriptor.artifactType = attestation.manifest.artifactType
                try await registry.attachReferrer(descriptor, subject: subject.digest, in: endpoint)
                log("attached attestation \(attestation.manifestDigest) to \(subject.digest) in \(target.name)")
            }
        }
    }

    /// Several platforms: an OCI index over the images (and their attestations, unless they go as
    /// referrers), pushed after them (each manifest by digest, the index under the tags), written
    /// whole into an OCI archive, kept whole in the local store.
    func finishMultiPlatform(_ images: [AssembledImage], platforms: [Platform], attestations: [AssembledImage], wantsPush: Bool,
                             keepLocally: Bool) async throws -> BuildResult {
        let referrers = options.attestations.asReferrers
        let content = try indexContent(images, platforms: platforms, attestations: referrers ? [] : attestations)
        let index = content.root
        var pushed: [Reference] = []
        if wantsPush {
            let pusher = ImagePusher(registry: registry, log: log)
            for tag in pushTargets(index.digest) {
                try await pusher.push(content, to: tag)
                pushed.append(tag)
            }
            if referrers { try await pushReferrers(attestations, to: pushed) }
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
        try writeRecords(config: nil, manifest: index.digest, size: index.bytes.count, mediaType: index.mediaType)
        return BuildResult(image: images[0], images: images, index: (index.digest, index.bytes), pushed: pushed, stats: await registry.stats)
    }
}
