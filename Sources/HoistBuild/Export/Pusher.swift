import HoistOCI
import HoistRegistry

/// Pushes an assembled image: every blob first (HEAD ▸ mount ▸ upload, four at a time), the
/// manifest last, so a registry never holds a manifest whose blobs are missing.
struct Pusher {
    let registry: RegistryClient
    let log: @Sendable (String) -> Void

    func push(_ image: AssembledImage, as tag: Reference) async throws {
        let target = try registry.resolver.pushEndpoint(for: tag)
        var work: [(Descriptor, LayerRef.Source)] = image.layers.map { ($0.descriptor, $0.source) }
        work.append((image.manifest.config, .store))
        let registry = self.registry
        let log = self.log
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = work.makeIterator()
            func next() -> Bool {
                guard let (descriptor, source) = pending.next() else { return false }
                group.addTask {
                    var mountFrom: Endpoint?
                    if case let .remote(origin) = source {
                        if origin.host == target.host {
                            mountFrom = origin
                        } else if !registry.store.contains(descriptor.digest),
                                  try await !registry.blobExists(descriptor.digest, in: target) {
                            // Another registry holds it: the bytes must come through here once.
                            try await registry.fetchBlob(descriptor, from: origin)
                        }
                    }
                    let outcome = try await registry.pushBlob(descriptor, to: target, mountFrom: mountFrom)
                    log("  \(descriptor.digest.encoded.prefix(12)): \(describe(outcome))")
                }
                return true
            }
            for _ in 0..<4 { _ = next() }
            while try await group.next() != nil { _ = next() }
        }
        // A reference pinned by digest is pushed by digest; otherwise under its tag.
        let putReference: String? = tag.digest != nil ? nil : (tag.tag ?? "latest")
        let digest = try await registry.putManifest(image.manifestBytes, mediaType: .ociManifest, to: target, tag: putReference)
        log("pushed \(tag) (\(target)) \(digest)")
    }
}

private func describe(_ outcome: BlobPushOutcome) -> String {
    switch outcome {
    case .existed: "already present"
    case .mounted: "mounted"
    case let .uploaded(bytes): "uploaded \(bytes) bytes"
    }
}
