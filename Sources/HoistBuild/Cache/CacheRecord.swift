import HoistOCI

/// One step's result as a cache keeps it: the step's `CacheKey` (64 hex digits), which step made
/// it (`stage NAME, step N (KEYWORD)`), the named inputs (to explain a later miss) and the layer.
struct CacheRecord: Codable, Sendable {
    var key: String
    var step: String
    var inputs: [CacheKey.Input]
    var layer: Descriptor
    var diffID: Digest
}
