import Foundation
import HoistContent

/// Where a layer's bytes come from when they are read once, front to back: for its index, or to
/// unpack it into a snapshot.
public enum LayerSource: Sendable {
    /// A file: the blob in the store, or a temp file deleted after use (`temporary`).
    case file(path: String, temporary: Bool)
    /// A download arriving now, read as it comes and checked at its end (`label` names it in
    /// errors); `fallback` gives a file instead when the download fails before its end.
    case stream(BlobStream, label: String, fallback: @Sendable () async throws -> (path: String, temporary: Bool))
    /// Read already, by whoever needed its bytes for more (a snapshot unpacked from the download):
    /// its index, for a question about its headers.
    case indexed(LayerIndex)

    /// Reads the layer's bytes once with `body`, on a thread of its own, and removes a temporary
    /// file afterwards. A stream is read as it arrives; only when its download failed (cut off, or
    /// bytes that did not match their digest) is it read again from its fallback file, which
    /// resumes and retries: an error of the layer itself is thrown as it is. Cancelling the caller
    /// stops the stream, and with it the download. `layer` names the layer in a containment error.
    /// Throws `LayerError.io` for `.indexed`, which has no bytes.
    public func read<T: Sendable>(layer: String, _ body: @escaping @Sendable (LayerInput) throws -> T) async throws -> T {
        switch self {
        case let .file(path, temporary):
            defer { if temporary { unlink(path) } }
            return try await Blocking.run { try LayerError.naming(layer: layer) { try body(LayerInput(path: path)) } }
        case let .stream(stream, label, fallback):
            // However this ends, the download stops with it (nothing happens once its bytes checked out).
            defer { stream.stop("the layer's reader stopped") }
            do {
                return try await withTaskCancellationHandler {
                    try await Blocking.run { try LayerError.naming(layer: layer) { try body(LayerInput(stream: stream, label: label)) } }
                } onCancel: {
                    stream.stop("the build stopped")
                }
            } catch {
                try Task.checkCancellation()
                guard stream.downloadFailed else { throw error }
                let (path, temporary) = try await fallback()
                return try await LayerSource.file(path: path, temporary: temporary).read(layer: layer, body)
            }
        case .indexed:
            throw LayerError.io(path: "layer \(layer)", message: "only its index was given, not its bytes")
        }
    }
}
