public enum LayerError: Error, CustomStringConvertible {
    case archive(operation: String, path: String, message: String)
    case compression(String)
    case io(path: String, message: String)
    /// A layer entry that has no place inside the root (TarReader). `layer` is filled in by the
    /// reader's caller, which knows the layer's digest; the entry is named as the archive has it.
    case uncontainable(entry: String, reason: String, layer: String? = nil)

    public var description: String {
        switch self {
        case let .archive(operation, path, message): "\(path): \(operation) failed: \(message)"
        case let .compression(message): "gzip compression failed: \(message)"
        case let .io(path, message): "\(path): \(message)"
        case let .uncontainable(entry, reason, layer):
            "\(layer.map { "layer \($0): " } ?? "")entry \"\(entry)\" cannot be placed inside the image's root: \(reason)"
        }
    }
}

extension LayerError {
    /// Runs `body`, naming `layer` (a digest, or what identifies the layer) in an uncontainable-entry error.
    public static func naming<T>(layer: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let LayerError.uncontainable(entry, reason, nil) {
            throw LayerError.uncontainable(entry: entry, reason: reason, layer: layer)
        }
    }
}
