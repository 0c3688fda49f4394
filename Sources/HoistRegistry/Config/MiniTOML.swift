/// The subset of TOML that containers-registries.conf(5) files use: comments, `key = value` with
/// strings (basic and literal), booleans, integers and arrays of those, `[table]`, `[[array.of.tables]]`
/// and dotted table headers. Anything else is reported with its line, never guessed at.
enum MiniTOML {
    indirect enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case array([Value])
        case table([String: Value])
        case tables([[String: Value]])
    }

    struct ParseError: Error {
        var line: Int
        var message: String
    }

    static func parse(_ text: String) throws -> [String: Value] {
        var root: [String: Value] = [:]
        var currentPath: [String] = []
        var currentIsArray = false
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        var i = 0
        while i < lines.count {
            let number = i + 1
            var line = stripComment(String(lines[i])).trimmingBlanks()
            i += 1
            if line.isEmpty { continue }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw ParseError(line: number, message: "table header must end with ]]") }
                currentPath = splitKey(String(line.dropFirst(2).dropLast(2)))
                currentIsArray = true
                try appendTable(&root, currentPath, line: number)
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ParseError(line: number, message: "table header must end with ]") }
                currentPath = splitKey(String(line.dropFirst().dropLast()))
                currentIsArray = false
                try update(&root, currentPath, line: number, arrayLast: false) { _ in }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw ParseError(line: number, message: "expected key = value") }
            let key = splitKey(String(line[..<eq]))
            var valueText = String(line[line.index(after: eq)...]).trimmingBlanks()
            // Arrays may span lines.
            while valueText.hasPrefix("["), !bracketsBalanced(valueText), i < lines.count {
                valueText += " " + stripComment(String(lines[i])).trimmingBlanks()
                i += 1
            }
            var cursor = Substring(valueText)
            let value = try parseValue(&cursor, line: number)
            guard String(cursor).trimmingBlanks().isEmpty else { throw ParseError(line: number, message: "unexpected text after value: \(cursor)") }
            try update(&root, currentPath + key.dropLast(), line: number, arrayLast: currentIsArray) { table in
                table[key.last!] = value
            }
        }
        return root
    }

    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var out = ""
        for c in line {
            if quote == nil, c == "#" { break }
            if c == "\"" || c == "'" { if quote == nil { quote = c } else if quote == c { quote = nil } }
            out.append(c)
        }
        return out
    }

    private static func bracketsBalanced(_ s: String) -> Bool {
        var depth = 0
        var quote: Character?
        for c in s {
            if c == "\"" || c == "'" { if quote == nil { quote = c } else if quote == c { quote = nil } }
            if quote == nil { if c == "[" { depth += 1 } else if c == "]" { depth -= 1 } }
        }
        return depth == 0
    }

    private static func splitKey(_ key: String) -> [String] {
        key.split(separator: ".").map { part in
            var p = String(part).trimmingBlanks()
            if p.count >= 2, (p.hasPrefix("\"") && p.hasSuffix("\"")) || (p.hasPrefix("'") && p.hasSuffix("'")) { p = String(p.dropFirst().dropLast()) }
            return p
        }
    }

    private static func parseValue(_ s: inout Substring, line: Int) throws -> Value {
        s = s.drop { $0 == " " || $0 == "\t" }
        guard let c = s.first else { throw ParseError(line: line, message: "missing value") }
        switch c {
        case "\"":
            s.removeFirst()
            var out = ""
            while let ch = s.popFirst() {
                if ch == "\"" { return .string(out) }
                if ch == "\\", let next = s.popFirst() {
                    switch next {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    default: throw ParseError(line: line, message: "unsupported escape \\\(next)")
                    }
                } else { out.append(ch) }
            }
            throw ParseError(line: line, message: "unterminated string")
        case "'":
            s.removeFirst()
            guard let end = s.firstIndex(of: "'") else { throw ParseError(line: line, message: "unterminated string") }
            let out = String(s[..<end])
            s = s[s.index(after: end)...]
            return .string(out)
        case "[":
            s.removeFirst()
            var items: [Value] = []
            while true {
                s = s.drop { $0 == " " || $0 == "\t" || $0 == "," }
                if s.first == "]" { s.removeFirst(); return .array(items) }
                guard !s.isEmpty else { throw ParseError(line: line, message: "unterminated array") }
                items.append(try parseValue(&s, line: line))
            }
        default:
            let word = s.prefix { !" \t,]".contains($0) }
            s = s[word.endIndex...]
            if word == "true" { return .bool(true) }
            if word == "false" { return .bool(false) }
            if let n = Int(word) { return .integer(n) }
            throw ParseError(line: line, message: "unsupported value \"\(word)\" (strings must be quoted)")
        }
    }

    private static func appendTable(_ root: inout [String: Value], _ path: [String], line: Int) throws {
        try update(&root, Array(path.dropLast()), line: line, arrayLast: false) { table in
            var list: [[String: Value]] = []
            if case let .tables(existing)? = table[path.last!] { list = existing }
            list.append([:])
            table[path.last!] = .tables(list)
        }
    }

    /// Applies `body` to the table at `path`; a path through an array of tables goes into its last element.
    private static func update(_ table: inout [String: Value], _ path: [String], line: Int, arrayLast: Bool, _ body: (inout [String: Value]) throws -> Void) throws {
        guard let head = path.first else { try body(&table); return }
        switch table[head] {
        case .tables(var list)?:
            var last = list.removeLast()
            try update(&last, Array(path.dropFirst()), line: line, arrayLast: arrayLast, body)
            list.append(last)
            table[head] = .tables(list)
        case .table(var sub)?:
            try update(&sub, Array(path.dropFirst()), line: line, arrayLast: arrayLast, body)
            table[head] = .table(sub)
        case nil:
            var sub: [String: Value] = [:]
            try update(&sub, Array(path.dropFirst()), line: line, arrayLast: arrayLast, body)
            table[head] = .table(sub)
        default:
            throw ParseError(line: line, message: "\(head) is a value, not a table")
        }
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
