import HoistOCI
import HoistRegistry

/// The one way an image reaches a registry (`assemble --push`, `hoist push`, `hoist copy`): a HEAD
/// for each image manifest the registry may hold already (then its blobs are there), every other
/// blob (HEAD ▸ mount from the same registry ▸ stream from another ▸ upload, eight at a time),
/// then an index's platform manifests by digest, the root last under the reference's tag (or by
/// digest when the reference is pinned), so a registry never holds a manifest whose blobs or
/// children are missing.
struct ImagePusher {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    /// Pushes `content` to where `reference` points; returns the endpoint it went to.
    @discardableResult
    func push(_ content: ImageContent, to reference: Reference) async throws -> Endpoint {
        let target = try registry.resolver.pushEndpoint(for: reference)
        let present = await manifestsPresent(content, in: target)
        try await pushBlobs(content.blobs.filter { !present.blobs.contains($0.descriptor.digest) }, to: target)
        // The platforms' manifests (by digest) at once; the root only once they are all there.
        let registry = self.registry
        try await withThrowingTaskGroup(of: Void.self) { group in
            for child in content.children where !present.manifests.contains(child.digest) {
                group.addTask { _ = try await registry.putManifest(child.bytes, mediaType: child.mediaType, to: target, tag: nil) }
            }
            try await group.waitForAll()
        }
        let tag: String? = reference.digest != nil ? nil : (reference.tag ?? "latest")
        let digest = try await registry.putManifest(content.root.bytes, mediaType: content.root.mediaType, to: target, tag: tag)
        log("pushed \(reference) (\(target)) \(digest)")
        return target
    }

    /// The image manifests of `content` that `target` already holds, and the blobs they name. A
    /// registry keeps a manifest only with all its blobs, so one HEAD stands for every blob of an
    /// image pushed before (a rebuild with nothing changed, a second tag), as crane's write checks
    /// the manifest first. A manifest naming a blob made for this build alone (a fresh provenance)
    /// cannot be there and is not asked about. A HEAD that fails counts as absent: the blobs are
    /// then checked one by one, as without it.
    private func manifestsPresent(_ content: ImageContent, in target: Endpoint) async -> (manifests: Set<Digest>, blobs: Set<Digest>) {
        let unique = Set(content.blobs.filter(\.isUnique).map(\.descriptor.digest))
        let candidates: [(digest: Digest, blobs: [Digest])] = (content.children.isEmpty ? [content.root] : content.children).compactMap { manifest in
            guard manifest.mediaType.isManifest, let parsed = try? CanonicalJSON.decode(Manifest.self, from: manifest.bytes) else { return nil }
            let blobs = ([parsed.config] + parsed.layers).map(\.digest)
            return blobs.contains(where: unique.contains) ? nil : (manifest.digest, blobs)
        }
        let registry = self.registry
        return await withTaskGroup(of: (Digest, [Digest])?.self) { group in
            for candidate in candidates {
                group.addTask { (try? await registry.manifestExists(candidate.digest, in: target)) == true ? candidate : nil }
            }
            var present: (manifests: Set<Digest>, blobs: Set<Digest>) = ([], [])
            for await case let (digest, blobs)? in group {
                present.manifests.insert(digest)
                present.blobs.formUnion(blobs)
            }
            return present
        }
    }

    /// Makes every blob present in `target`, eight at a time: HEAD ▸ mount (from the same registry)
    /// ▸ upload, fetching a blob that lives elsewhere through the local store once.
    private func pushBlobs(_ blobs: [LayerRef], to target: Endpoint) async throws {
        let registry = self.registry
        let log = self.log
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = blobs.makeIterator()
            func next() -> Bool {
                guard let layer = pending.next() else { return false }
                let descriptor = layer.descriptor
                group.addTask {
                    var mountFrom: Endpoint?
                    var streamed: BlobPushOutcome?
                    if case let .remote(origin) = layer.source, origin.host == target.host {
                        mountFrom = origin
                    } else if !registry.store.contains(descriptor.digest), try await !registry.blobExists(descriptor.digest, in: target) {
                        if case let .remote(origin) = layer.source {
                            // Another registry holds it: stream it across; through the store if that fails.
                            streamed = try? await registry.streamBlob(descriptor, from: origin, to: target)
                        }
                        if streamed == nil { try await layer.localize(using: registry) }
                    }
                    var outcome = streamed
                    if outcome == nil { outcome = try await registry.pushBlob(descriptor, to: target, mountFrom: mountFrom, knownAbsent: layer.isUnique) }
                    log("  \(descriptor.digest.encoded.prefix(12)): \(describe(outcome!))")
                }
                return true
            }
            for _ in 0..<8 { _ = next() }
            while try await group.next() != nil { _ = next() }
        }
    }
}

private func describe(_ outcome: BlobPushOutcome) -> String {
    switch outcome {
    case .existed: "already present"
    case .mounted: "mounted"
    case let .uploaded(bytes): "uploaded \(bytes) bytes"
    }
}
