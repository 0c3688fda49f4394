import HoistContent

/// Where a layer's headers are read from, for its index.
public enum IndexSource: Sendable {
    /// A file: the blob in the store, or a temp file deleted after use (`temporary`).
    case file(path: String, temporary: Bool)
    /// A download arriving now, read as it comes and checked at its end (`label` names it in
    /// errors); `fallback` gives a file instead when the stream fails before its end.
    case stream(BlobStream, label: String, fallback: @Sendable () async throws -> (path: String, temporary: Bool))
}
