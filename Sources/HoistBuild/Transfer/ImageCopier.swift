import Foundation
import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry

/// `hoist copy SRC DST` (and `hoist push`): the same bytes, the same digests, between registries,
/// OCI layout directories and oci-archive tarballs.
public struct ImageCopier {
    public let registry: RegistryClient
    let log: @Sendable (String) -> Void

    public init(registry: RegistryClient, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.registry = registry
        self.log = log
    }

    /// Copies and returns the digest of what was written at the top (index or manifest).
    @discardableResult
    public func copy(from source: ImageLocation, to destination: ImageLocation, platform: Platform = .host, all: Bool = false) async throws -> Digest {
        let scratch = try registry.store.scratchDirectory("copy")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let content = try await ImageContent.read(source, registry: registry, platform: platform, all: all, scratch: scratch)
        switch destination {
        case let .registry(reference):
            try await ImagePusher(registry: registry, log: log).push(content, to: reference)
        case let .layout(path, tag):
            try await content.write(to: OCILayout(path: path), annotations: tag.map { [OCILayout.refNameAnnotation: $0] }, registry: registry)
        case let .archive(path, tag):
            let layout = OCILayout(path: scratch + "/out")
            try await content.write(to: layout, annotations: tag.map { [OCILayout.refNameAnnotation: $0] }, registry: registry)
            try await Blocking.run { try layout.tar(to: path) }
        }
        return content.root.digest
    }
}
