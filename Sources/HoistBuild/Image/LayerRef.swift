import Foundation
import HoistLayers
import HoistOCI
import HoistRegistry

/// A layer of an image being built: its descriptor and diffID, and where its bytes are.
/// A base layer stays `.remote` until something needs its bytes.
public struct LayerRef: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// In the local content store.
        case store
        /// In a repository of a registry: mountable there, downloadable on demand.
        case remote(Endpoint)
        /// A blob file outside the store (an OCI layout given with --build-context), checked when ingested.
        case file(String)
    }

    public var descriptor: Descriptor
    public var diffID: Digest
    public var source: Source
    /// Made by this build with bytes no registry can hold yet (an attestation holding a random
    /// invocation ID): a push uploads it without asking the registry first, saving a HEAD.
    public var isUnique = false
}

extension LayerRef {
    /// Makes sure the layer's bytes are in the local store, verified: downloaded from its registry or
    /// ingested from its file. A layer already in the store costs nothing.
    func localize(using registry: RegistryClient) async throws {
        switch source {
        case .store:
            return
        case let .remote(endpoint):
            try await registry.fetchBlob(descriptor, from: endpoint)
        case let .file(path):
            let store = registry.store
            if store.contains(descriptor.digest) { return }
            let descriptor = self.descriptor
            try await Blocking.run {
                let writer = try store.writer()
                guard let handle = FileHandle(forReadingAtPath: path) else { throw BuildError.context("\(path): cannot be read") }
                defer { try? handle.close() }
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try writer.write(Array(chunk)) }
                _ = try writer.commit(expected: descriptor.digest, size: descriptor.size, source: path)
            }
        }
    }

    /// The blob's bytes, localized (and so verified) first: for small blobs read whole (a config,
    /// a cache config, a layer index).
    func bytes(using registry: RegistryClient) async throws -> [UInt8] {
        try await localize(using: registry)
        return try registry.store.read(descriptor.digest)
    }

    /// The layer's blob in the local store, localized first: what reads its bytes needs.
    func localPath(using registry: RegistryClient) async throws -> String {
        try await localize(using: registry)
        return registry.store.path(for: descriptor.digest)
    }
}
