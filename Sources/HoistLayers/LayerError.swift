public enum LayerError: Error, CustomStringConvertible {
    case archive(operation: String, path: String, message: String)
    case compression(String)
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case let .archive(operation, path, message): "\(path): \(operation) failed: \(message)"
        case let .compression(message): "gzip compression failed: \(message)"
        case let .io(path, message): "\(path): \(message)"
        }
    }
}
