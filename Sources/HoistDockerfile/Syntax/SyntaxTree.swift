/// A Dockerfile as BuildKit's parser sees it: directives, then one node per instruction.
public struct SyntaxTree: Sendable {
    public var nodes: [Node]
    public var directives: [String: String]
    public var escape: Character
    /// Things worth saying that do not stop a build (empty continuation lines).
    public var warnings: [DockerfileWarning]

    /// The whole tree in BuildKit's dump format, one S-expression per line.
    public func dump() -> String {
        nodes.map { "(" + $0.dump() + ")\n" }.joined()
    }

    public var startLine: Int { nodes.first?.startLine ?? 0 }
    public var endLine: Int { nodes.last?.endLine ?? 0 }
}

/// A warning with the place it concerns.
public struct DockerfileWarning: Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public var description: String { "\(location.file):\(location.line): \(message)" }
}
