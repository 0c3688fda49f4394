/// Reads a Dockerfile into a `SyntaxTree` with BuildKit's line rules: parser directives at the top,
/// the escape character at the end of a line continues it (blank and comment lines inside a
/// continuation are skipped), heredoc bodies follow their instruction.
public enum SyntaxParser {
    /// The parse tree; any error in it is thrown (all of them, as `DockerfileErrors`, when several).
    public static func parse(_ text: String, file: String = "Dockerfile") throws -> SyntaxTree {
        let (tree, errors) = try read(text, file: file)
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw DockerfileErrors(errors: errors) }
        return tree
    }

    /// The parse tree and the errors of instructions whose arguments could not be split; throws
    /// only for what stops reading altogether (a bad directive, an unterminated heredoc, no instructions).
    static func read(_ text: String, file: String) throws -> (SyntaxTree, [DockerfileError]) {
        var lines = LineSource(text)
        var directives = DirectiveReader()
        var nodes: [Node] = []
        var warnings: [DockerfileWarning] = []
        // Errors in one instruction's arguments are collected so that all of them are reported.
        var errors: [DockerfileError] = []
        var comments: [String] = []
        func fail(_ line: Int, _ message: String) -> DockerfileError {
            DockerfileError(SourceLocation(file: file, line: max(line, 1), column: 1), message, line: lines.text(ofLine: line))
        }
        while let raw = lines.next() {
            let number = lines.number
            var first = raw.trimmingNewline()
            let leading = first.prefix { GoQuote.isSpace($0) }.count
            first = GoQuote.trimLeftSpace(first)
            let directivesBefore = directives.values.count
            if let error = directives.consider(first) { throw fail(number, error) }
            if DirectiveReader.isComment(first) {
                // As BuildKit: the text after the line's first character, trimmed; directives are not comments.
                let comment = GoQuote.trimSpace(String(String.UnicodeScalarView(raw.trimmingNewline().dropFirst())))
                if comment.isEmpty { comments = [] } else if directives.values.count == directivesBefore { comments.append(comment) }
                continue
            }
            let (firstPart, firstEnds) = directives.trimContinuation(first)
            if firstEnds && firstPart.isEmpty { continue }
            // A new string, not the slice: appending to a slice would copy the whole file each time.
            var line = String(firstPart)
            var ends = firstEnds
            var sawEmptyContinuation = false
            while !ends, let more = lines.next() {
                let body = more.trimmingNewline()
                if let error = directives.consider(body) { throw fail(lines.number, error) }
                if DirectiveReader.isComment(GoQuote.trimLeftSpace(body)) { continue }
                if GoQuote.trimLeftSpace(body).isEmpty { sawEmptyContinuation = true; continue }
                let (piece, end) = directives.trimContinuation(body)
                line.unicodeScalars.append(contentsOf: piece)
                ends = end
            }
            let text = line
            if sawEmptyContinuation {
                // BuildKit places it on the instruction's last line.
                warnings.append(DockerfileWarning(.noEmptyContinuation, "Empty continuation line",
                                                  at: SourceLocation(file: file, line: lines.number, column: 1)))
            }
            var node: Node
            do {
                node = try LineParsers(escape: directives.escape).node(from: text, column: leading + 1)
            } catch let failure as LineParsers.Failure {
                errors.append(DockerfileError(SourceLocation(file: file, line: number, column: leading + 1), failure.message, line: lines.text(ofLine: number)))
                continue
            }
            node.startLine = number
            node.comments = comments
            comments = []
            if HeredocReader.canContainHeredoc(node) {
                for var heredoc in HeredocReader.heredocs(in: text) {
                    var terminated = false
                    while let bodyLine = lines.next() {
                        var candidate = bodyLine.trimmingNewline()
                        if heredoc.chomp { candidate = candidate.drop { $0 == "\t" } }
                        if String(candidate) == heredoc.name { terminated = true; break }
                        heredoc.content += String(bodyLine)
                    }
                    guard terminated else {
                        throw DockerfileError(SourceLocation(file: file, line: number, column: leading + 1),
                                              "unterminated heredoc: no line \"\(heredoc.name)\" ends it", line: lines.text(ofLine: number))
                    }
                    node.heredocs.append(heredoc)
                }
            }
            node.endLine = lines.number
            nodes.append(node)
        }
        guard !nodes.isEmpty || !errors.isEmpty else {
            throw DockerfileError(SourceLocation(file: file, line: max(lines.number, 1), column: 1),
                                  "file with no instructions: a Dockerfile needs at least a FROM", line: nil)
        }
        return (SyntaxTree(nodes: nodes, directives: directives.values, escape: Character(directives.escape), warnings: warnings), errors)
    }
}

/// The physical lines of the text, with their endings, numbered from 1; slices of the text, not copies.
struct LineSource {
    private let text: Substring.UnicodeScalarView
    private var offset: Substring.UnicodeScalarView.Index
    private(set) var number = 0
    private var starts: [Substring.UnicodeScalarView.Index] = []

    init(_ text: String) {
        var view = Substring(text).unicodeScalars
        if view.first == "\u{FEFF}" { view = view.dropFirst() }
        self.text = view
        offset = view.startIndex
    }

    /// The next line including its "\n", or nil at the end.
    mutating func next() -> Substring.UnicodeScalarView? {
        guard offset < text.endIndex else { return nil }
        let start = offset
        offset = text[start...].firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
        number += 1
        starts.append(start)
        return text[start..<offset]
    }

    /// A line already read, without its ending, for quoting in errors.
    func text(ofLine line: Int) -> String? {
        guard line >= 1, line <= starts.count else { return nil }
        let start = starts[line - 1]
        let end = text[start...].firstIndex(of: "\n") ?? text.endIndex
        return String(text[start..<end]).trimmingTrailingCR()
    }
}

extension Substring.UnicodeScalarView {
    /// Go's bytes.TrimRight(line, "\r\n").
    func trimmingNewline() -> Substring.UnicodeScalarView {
        var s = self
        while let last = s.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return s
    }
}

extension String {
    func trimmingTrailingCR() -> String {
        var s = self
        while s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
