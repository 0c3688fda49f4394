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
    }

    public var descriptor: Descriptor
    public var diffID: Digest
    public var source: Source
}
