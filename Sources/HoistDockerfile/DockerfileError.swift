/// A problem with a Dockerfile, always with the place it was found and what to do instead.
public struct DockerfileError: Error, CustomStringConvertible, Sendable {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
