import HoistDockerfile

/// Build failures that are not the parser's, the registry's or the store's own errors.
public enum BuildError: Error, CustomStringConvertible {
    /// An instruction's failure, located once by the stage loop.
    case instruction(SourceLocation, Error)
    case badOutput(String, String)
    /// `--cache-from`/`--cache-to`: the flag, its text and what is wrong.
    case badCache(flag: String, text: String, String)
    case context(String)

    public var description: String {
        switch self {
        case let .instruction(location, error): "\(location): \(error)"
        case let .badOutput(text, why): "--output \(text): \(why)"
        case let .badCache(flag, text, why): "\(flag) \(text): \(why)"
        case let .context(message): message
        }
    }
}

extension BuildError {
    /// Whether the error already says where it happened.
    var isLocated: Bool {
        switch self {
        case .instruction: true
        case .badOutput, .badCache, .context: false
        }
    }
}
