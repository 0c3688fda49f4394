import HoistOCI

/// A build cache's config blob: BuildKit's `application/vnd.buildkit.cacheconfig.v0`
/// (moby/buildkit `cache/remotecache/v1/spec.go`): `layers` (blobs, each with its parent layer
/// or -1) and `records` (a cache key, its inputs and results). Hoist writes one record per step,
/// whose digest is `sha256:` + the step's `CacheKey` and whose one result is the step's layer, with
/// no parent and no inputs, so BuildKit reads it as a valid cache that never matches its own keys.
/// What Hoist needs beyond that rides in `hoist`, a field BuildKit ignores. Decoding is lenient:
/// a cache BuildKit wrote has no `hoist` and gives no records.
struct CacheConfig: Codable, Sendable {
    static let mediaType: MediaType = "application/vnd.buildkit.cacheconfig.v0"

    struct Layer: Codable, Sendable {
        var blob: String
        /// Index of the parent layer in `layers`, -1 for none; BuildKit omits 0.
        var parent: Int?
        var annotations: Annotations?
    }

    struct Annotations: Codable, Sendable {
        var mediaType: String?
        var diffID: String?
        var size: Int64?
        var createdAt: String?
    }

    struct Record: Codable, Sendable {
        struct Result: Codable, Sendable {
            var layer: Int
            var createdAt: String?
        }

        var layers: [Result]?
        var digest: String?
        var inputs: [[Input]]?

        struct Input: Codable, Sendable {
            var selector: String?
            var link: Int
        }
    }

    /// Hoist's part: for each record it wrote, the step it came from and its named inputs (to
    /// explain misses), and the layer indexes (tar headers) that travel with the cache.
    struct Extension: Codable, Sendable {
        struct Step: Codable, Sendable {
            /// Index into `records`.
            var record: Int
            /// `stage NAME, step N (KEYWORD)`: which step of which stage made it.
            var step: String
            var inputs: [CacheKey.Input]
        }

        struct IndexBlob: Codable, Sendable {
            /// The layer (compressed blob digest) whose headers the blob lists.
            var layer: String
            /// The index blob's digest, a layer of the cache manifest.
            var blob: String
        }

        var version: Int
        var steps: [Step]
        var indexes: [IndexBlob]
        /// `FirstBuildTime`: an image's key ▸ the `created` it was first given.
        var created: [String: String]?
    }

    var layers: [Layer]?
    var records: [Record]?
    var hoist: Extension?

    /// Media type of a layer index blob (`LayerIndexFile`) in a cache manifest.
    static let indexMediaType: MediaType = "application/vnd.hoist.layer.index.v3"
}
