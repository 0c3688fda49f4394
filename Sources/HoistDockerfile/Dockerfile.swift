/// A parsed Dockerfile: its parse tree, directives, typed instructions and warnings.
public struct Dockerfile: Sendable {
    public var file: String
    public var tree: SyntaxTree
    public var instructions: [LocatedInstruction]
    public var warnings: [DockerfileWarning]

    public var directives: [String: String] { tree.directives }
    /// The `# check=` directive (no directive: report every non-experimental rule).
    public var check: CheckDirective
    /// The text as read, for `--call` outputs that quote it.
    public var text: String

    /// Parses `text`; `file` is the name used in messages. A syntax error stops at once
    /// (`DockerfileError`); errors in instructions are all collected (`DockerfileErrors`).
    /// `warnings` are BuildKit's lint rules that `# check=` leaves on; with `# check=error=true`
    /// any of them fails the parse, unless `enforcingCheck` is false (`--call=check` reports them).
    public init(parsing text: String, file: String = "Dockerfile", enforcingCheck: Bool = true) throws {
        self.file = file
        self.text = text
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
        let check = try tree.directives["check"].map { try CheckDirective(parsing: $0, location: SourceLocation(file: file, line: 1, column: 1)) }
            ?? CheckDirective()
        self.check = check
        let found = tree.warnings + parser.warnings
            + Linter.warnings(file: file, nodes: tree.nodes, instructions: instructions, escape: tree.escape)
        let warnings = found.filter { check.reports($0.rule) }
        self.warnings = warnings
        if enforcingCheck, check.warningsAreErrors, !warnings.isEmpty {
            let errors = warnings.map {
                DockerfileError(SourceLocation(file: file, line: $0.location.line, column: 1), $0.message + " (an error because of # check=error=true)")
            }
            if errors.count == 1 { throw errors[0] }
            throw DockerfileErrors(errors: errors)
        }
    }
}
