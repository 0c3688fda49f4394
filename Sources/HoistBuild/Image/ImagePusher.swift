import HoistOCI
import HoistRegistry

/// The one way an image reaches a registry (`assemble --push`, `hoist push`, `hoist copy`): every
/// blob first (HEAD ▸ mount from the same registry ▸ stream from another ▸ upload, eight at a
/// time), then an index's platform manifests by digest, the root last under the reference's tag
/// (or by digest when the reference is pinned), so a registry never holds a manifest whose
/// blobs or children are missing.
struct ImagePusher {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    /// Pushes `content` to where `reference` points; returns the endpoint it went to.
    @discardableResult
    func push(_ content: ImageContent, to reference: Reference) async throws -> Endpoint {
        let target = try registry.resolver.pushEndpoint(for: reference)
        try await pushBlobs(content.blobs, to: target)
        // The platforms' manifests (by digest) at once; the root only once they are all there.
        let registry = self.registry
        try await withThrowingTaskGroup(of: Void.self) { group in
            for child in content.children {
                group.addTask { _ = try await registry.putManifest(child.bytes, mediaType: child.mediaType, to: target, tag: nil) }
            }
            try await group.waitForAll()
        }
        let tag: String? = reference.digest != nil ? nil : (reference.tag ?? "latest")
        let digest = try await registry.putManifest(content.root.bytes, mediaType: content.root.mediaType, to: target, tag: tag)
        log("pushed \(reference) (\(target)) \(digest)")
        return target
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
