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

/// A warning with the place it concerns: one of BuildKit's lint rules and its message.
public struct DockerfileWarning: Sendable, Equatable, CustomStringConvertible {
    /// Where the instruction the rule is about starts (BuildKit's range start).
    public var location: SourceLocation
    /// The last line of that instruction (BuildKit's range end).
    public var endLine: Int
    public var rule: LintRule
    /// The rule's message for this place, as BuildKit words it.
    public var detail: String

    public init(_ rule: LintRule, _ detail: String, at location: SourceLocation, endLine: Int? = nil) {
        self.rule = rule
        self.detail = detail
        self.location = location
        self.endLine = endLine ?? location.line
    }

    /// `Rule: detail`, as BuildKit's build output names a warning.
    public var message: String { "\(rule.name): \(detail)" }

    public var description: String { "\(location.file):\(location.line): \(message)" }
}
