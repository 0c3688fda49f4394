import HoistDockerfile

/// Build failures that are not the parser's, the registry's or the store's own errors.
public enum BuildError: Error, CustomStringConvertible {
    case at(SourceLocation, String)
    case badOutput(String, String)
    case context(String)

    public var description: String {
        switch self {
        case let .at(location, message): "\(location): \(message)"
        case let .badOutput(text, why): "--output \(text): \(why)"
        case let .context(message): message
        }
    }
}
