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
        warnings = try Dockerfile.applyCheckDirective(tree.warnings + parser.warnings, tree: tree, file: file)
    }

    /// `# check=skip=RuleA,RuleB;error=true` (or `skip=all`), as BuildKit's linter reads it: skipped
    /// rules say nothing, and with `error=true` any remaining warning fails the parse.
    static func applyCheckDirective(_ warnings: [DockerfileWarning], tree: SyntaxTree, file: String) throws -> [DockerfileWarning] {
        guard let check = tree.directives["check"] else { return warnings }
        var skipped: Set<String> = []
        var asErrors = false
        for setting in check.split(separator: ";") {
            let kv = setting.split(separator: "=", maxSplits: 1).map { GoQuote.trimSpace(String($0)) }
            guard kv.count == 2 else { continue }
            switch kv[0].lowercased() {
            case "skip": skipped.formUnion(kv[1].split(separator: ",").map { GoQuote.trimSpace(String($0)) })
            case "error": asErrors = kv[1].lowercased() == "true"
            default: break
            }
        }
        let kept = warnings.filter { warning in
            let rule = String(warning.message.prefix { $0 != ":" })
            return !skipped.contains("all") && !skipped.contains(rule)
        }
        if asErrors, !kept.isEmpty {
            let errors = kept.map { DockerfileError(SourceLocation(file: file, line: $0.location.line, column: 1), $0.message + " (an error because of # check=error=true)") }
            if errors.count == 1 { throw errors[0] }
            throw DockerfileErrors(errors: errors)
        }
        return kept
    }
}
