/// A parsed Dockerfile: its parse tree, directives, typed instructions and warnings.
public struct Dockerfile: Sendable {
    public var file: String
    public var tree: SyntaxTree
    public var instructions: [LocatedInstruction]
    public var warnings: [DockerfileWarning]

    public var directives: [String: String] { tree.directives }

    /// Parses `text`; `file` is the name used in messages. A syntax error stops at once
    /// (`DockerfileError`); errors in instructions are all collected (`DockerfileErrors`).
    public init(parsing text: String, file: String = "Dockerfile") throws {
        self.file = file
        let syntaxErrors: [DockerfileError]
        (tree, syntaxErrors) = try SyntaxParser.read(text, file: file)
        var parser = InstructionParser(file: file)
        var errors = syntaxErrors
        var instructions: [LocatedInstruction] = []
        for node in tree.nodes {
            do { instructions.append(try parser.parse(node)) } catch let error as DockerfileError { errors.append(error) }
        }
        errors.sort { $0.location.line < $1.location.line }
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw DockerfileErrors(errors: errors) }
        self.instructions = instructions
        warnings = tree.warnings + parser.warnings
    }
}
