/// How each instruction's arguments are split, per BuildKit's dispatch table. Interpretation
/// (flags, expansion, meaning) happens later, in `InstructionParser`.
struct LineParsers {
    let escape: Unicode.Scalar

    struct Failure: Error { var message: String }

    /// Splits an instruction line into keyword, flags and arguments and parses the arguments.
    func node(from line: String, column: Int) throws -> Node {
        let scalars = Substring(GoQuote.trimSpace(line)).unicodeScalars
        let keywordEnd = scalars.firstIndex(where: LineParsers.isSeparator) ?? scalars.endIndex
        let keyword = String(scalars[..<keywordEnd])
        var flags: [String] = []
        var rest = scalars[keywordEnd...]
        if keywordEnd < scalars.endIndex {
            var afterSpace = rest
            while let f = afterSpace.first, LineParsers.isSeparator(f) { afterSpace = afterSpace.dropFirst() }
            let extracted = FlagExtractor.extract(afterSpace)
            flags = extracted.flags
            rest = extracted.rest
        }
        let args = Substring(GoQuote.trimSpace(String(rest))).unicodeScalars
        var node = Node(keyword: keyword, flags: flags, original: line, column: column)
        switch keyword.lowercased() {
        case "add", "copy", "volume": try maybeJSONToList(args, &node)
        case "cmd", "entrypoint", "run", "shell": try maybeJSON(args, &node)
        case "arg": node.arguments = WordSplitter(escape: escape).split(args).map(Node.Argument.word)
        case "env", "label": node.arguments = try nameValue(args, keyword: keyword.uppercased())
        case "expose", "from": node.arguments = whitespaceDelimited(args)
        case "maintainer", "stopsignal", "user", "workdir": if !args.isEmpty { node.arguments = [.word(String(args))] }
        case "healthcheck": try healthcheck(args, &node)
        case "onbuild": if !args.isEmpty { node.arguments = [.child(try self.node(from: String(args), column: column))] }
        default: node.arguments = [.word("")]  // BuildKit keeps unknown instructions with an empty argument
        }
        return node
    }

    /// BuildKit's reWhitespace: `[\t\v\f\r ]+`.
    static func isSeparator(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}" || c == "\r"
    }

    func whitespaceDelimited(_ args: Substring.UnicodeScalarView) -> [Node.Argument] {
        guard !args.isEmpty else { return [] }
        var words: [Node.Argument] = []
        var current = String.UnicodeScalarView()
        for c in args {
            if LineParsers.isSeparator(c) {
                words.append(.word(String(current)))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
        }
        words.append(.word(String(current)))
        // Runs of separators count once, as with a `+` regular expression.
        return words.filter { if case let .word(w) = $0 { !w.isEmpty } else { true } }
    }

    /// CMD, ENTRYPOINT, RUN, SHELL: a JSON array of strings, else the text as one shell-form word.
    func maybeJSON(_ args: Substring.UnicodeScalarView, _ node: inout Node) throws {
        guard !args.isEmpty else { return }
        try json(args, &node) { [.word(String(args))] }
    }

    /// ADD, COPY, VOLUME: a JSON array of strings, else whitespace-separated words.
    func maybeJSONToList(_ args: Substring.UnicodeScalarView, _ node: inout Node) throws {
        try json(args, &node) { whitespaceDelimited(args) }
    }

    /// Valid JSON that is not all strings is an error; invalid JSON falls back, as in BuildKit.
    private func json(_ args: Substring.UnicodeScalarView, _ node: inout Node, otherwise fallback: () -> [Node.Argument]) throws {
        switch JSONArray.parse(args) {
        case let .strings(list):
            node.arguments = list.map(Node.Argument.word)
            node.isJSON = true
        case .notStrings:
            throw Failure(message: "when using JSON array syntax, arrays must be comprised of strings only")
        case .invalid:
            node.arguments = fallback()
        }
    }

    /// ENV and LABEL: `key=value …` (separator "="), or the legacy `key value` (separator "").
    func nameValue(_ args: Substring.UnicodeScalarView, keyword: String) throws -> [Node.Argument] {
        let words = WordSplitter(escape: escape).split(args)
        guard let first = words.first else { return [] }
        if !first.contains("=") {
            guard let split = args.firstIndex(where: LineParsers.isSeparator) else {
                throw Failure(message: "\(keyword) \(first) has no value: \(keyword) must have two arguments (\(keyword) \(first)=value)")
            }
            var value = args[split...]
            while let c = value.first, LineParsers.isSeparator(c) { value = value.dropFirst() }
            return [.word(String(args[..<split])), .word(String(value)), .word("")]
        }
        var result: [Node.Argument] = []
        for word in words {
            guard let eq = word.firstIndex(of: "=") else {
                throw Failure(message: "Syntax error - can't find = in \"\(word)\". Must be of the form: name=value")
            }
            result += [.word(String(word[..<eq])), .word(String(word[word.index(after: eq)...])), .word("=")]
        }
        return result
    }

    func healthcheck(_ args: Substring.UnicodeScalarView, _ node: inout Node) throws {
        guard let sep = args.firstIndex(where: GoQuote.isSpace) ?? (args.isEmpty ? nil : args.endIndex), sep > args.startIndex else { return }
        var rest = args[sep...]
        while let c = rest.first, GoQuote.isSpace(c) { rest = rest.dropFirst() }
        var command = Node(keyword: "")
        try maybeJSON(rest, &command)
        node.arguments = [.word(String(args[..<sep]))] + command.arguments
        node.isJSON = command.isJSON
    }
}
