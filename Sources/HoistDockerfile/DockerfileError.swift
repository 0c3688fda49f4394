/// A problem with a Dockerfile, always with the place it was found, the line as written, and
/// what to do instead.
public struct DockerfileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var location: SourceLocation
    public var message: String
    /// The offending line as written, for quoting under the message.
    public var sourceLine: String?

    public init(_ location: SourceLocation, _ message: String, line: String? = nil) {
        self.location = location
        self.message = message
        sourceLine = line
    }

    /// `file:line:column: message` — one line, what a terminal or an editor can jump to.
    public var description: String { "\(location): \(message)" }

    /// The message with the line quoted beneath it.
    public var detailed: String {
        guard let sourceLine else { return description }
        return description + "\n" + String(repeating: " ", count: 4) + "\(location.line) | " + sourceLine
    }
}

/// Every error found in one Dockerfile, in order; a parse reports them all, not just the first.
public struct DockerfileErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [DockerfileError]

    public var description: String { errors.map(\.description).joined(separator: "\n") }
    public var detailed: String { errors.map(\.detailed).joined(separator: "\n") }
}
