/// A build cache that cannot be used. On import these become warnings (the build goes on without
/// the cache); on export they fail the build unless `ignore-error=true`.
enum CacheError: Error, CustomStringConvertible {
    /// The manifest at the location is not a build cache: its config media type.
    case notACache(String, mediaType: String)
    /// The cache's config does not parse, or names what is not there.
    case malformed(String, String)
    /// A `--cache-to` that failed without `ignore-error=true`; the image's own outputs are written.
    case exportFailed(String, Error)

    var description: String {
        switch self {
        case let .notACache(location, mediaType):
            "\(location) is not a build cache (its config is \(mediaType), not \(CacheConfig.mediaType))"
        case let .malformed(location, why): "\(location): malformed build cache: \(why)"
        case let .exportFailed(location, error):
            "exporting the build cache to \(location) failed (the image's own outputs are written; add ignore-error=true "
                + "to --cache-to to only warn): \(error)"
        }
    }
}
