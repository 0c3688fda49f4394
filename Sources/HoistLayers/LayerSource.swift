import HoistContent

/// Where a layer's bytes come from when they are read once, front to back: for its index, or to
/// unpack it into a snapshot.
public enum LayerSource: Sendable {
    /// A file: the blob in the store, or a temp file deleted after use (`temporary`).
    case file(path: String, temporary: Bool)
    /// A download arriving now, read as it comes and checked at its end (`label` names it in
    /// errors); `fallback` gives a file instead when the stream fails before its end.
    case stream(BlobStream, label: String, fallback: @Sendable () async throws -> (path: String, temporary: Bool))
    /// Read already, by whoever needed its bytes for more (a snapshot unpacked from the download):
    /// its index, for a question about its headers.
    case indexed(LayerIndex)
}
