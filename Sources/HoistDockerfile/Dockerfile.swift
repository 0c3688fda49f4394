/// A parsed Dockerfile: its directives and its instructions in order.
public struct Dockerfile: Sendable {
    public var file: String
    public var directives: [String: String]
    public var instructions: [LocatedInstruction]

    /// Parses `text`; `file` is the name used in error messages.
    public init(parsing text: String, file: String = "Dockerfile") throws {
        let splitter = try LineSplitter(text: text, file: file)
        self.file = file
        directives = splitter.directives
        var parser = InstructionParser(file: file, escape: splitter.escape)
        instructions = try splitter.lines.map { try parser.parse($0) }
        guard !instructions.isEmpty else {
            throw DockerfileError(SourceLocation(file: file, line: 1, column: 1), "the Dockerfile has no instructions; it needs at least a FROM")
        }
    }
}
