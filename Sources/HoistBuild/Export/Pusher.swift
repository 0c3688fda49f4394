import HoistOCI
import HoistRegistry

/// Pushes an assembled image: every blob first (HEAD ▸ mount ▸ upload, four at a time), the
/// manifest last, so a registry never holds a manifest whose blobs are missing.
struct Pusher {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    func push(_ image: AssembledImage, as tag: Reference) async throws {
        let target = try registry.resolver.pushEndpoint(for: tag)
        try await pushBlobs(image.blobs, to: target)
        // A reference pinned by digest is pushed by digest; otherwise under its tag.
        let putReference: String? = tag.digest != nil ? nil : (tag.tag ?? "latest")
        let digest = try await registry.putManifest(image.manifestBytes, mediaType: image.mediaType, to: target, tag: putReference)
        log("pushed \(tag) (\(target)) \(digest)")
    }

    /// Makes every blob present in `target`, four at a time: HEAD ▸ mount (from the same registry)
    /// ▸ upload, fetching a blob that lives elsewhere through the local store once.
    func pushBlobs(_ blobs: [LayerRef], to target: Endpoint) async throws {
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
                    if outcome == nil { outcome = try await registry.pushBlob(descriptor, to: target, mountFrom: mountFrom) }
                    log("  \(descriptor.digest.encoded.prefix(12)): \(describe(outcome!))")
                }
                return true
            }
            for _ in 0..<4 { _ = next() }
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
