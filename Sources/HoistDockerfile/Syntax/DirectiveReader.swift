/// Parser directives (`# syntax=…`, `# escape=…`, `# check=…`): only before anything else,
/// each at most once. Also owns the escape character and with it line continuation.
struct DirectiveReader {
    private(set) var values: [String: String] = [:]
    private(set) var escape: Unicode.Scalar = "\\"
    private var done = false

    static let known: Set<String> = ["syntax", "escape", "check"]

    /// Looks at a line while directives may still appear; returns an error message for a bad one.
    mutating func consider(_ line: Substring.UnicodeScalarView) -> String? {
        guard !done else { return nil }
        guard let (key, value) = DirectiveReader.match(line), DirectiveReader.known.contains(key.lowercased()) else {
            done = true
            return nil
        }
        let k = key.lowercased()
        if values[k] != nil { return "only one \(k) parser directive can be used" }
        values[k] = value
        if k == "escape" {
            guard value == "\\" || value == "`" else { return "invalid escape token '\(value)' does not match ` or \\" }
            escape = value.unicodeScalars.first!
        }
        return nil
    }

    /// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
    static func match(_ line: Substring.UnicodeScalarView) -> (String, String)? {
        var s = line
        guard s.first == "#" else { return nil }
        s = s.dropFirst()
        s = GoQuote.trimLeftSpace(s)
        guard let first = s.first, first.isASCII, first.properties.isAlphabetic else { return nil }
        let nameEnd = s.firstIndex { !($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) } ?? s.endIndex
        let name = String(s[..<nameEnd])
        var rest = GoQuote.trimLeftSpace(s[nameEnd...])
        guard rest.first == "=" else { return nil }
        rest = GoQuote.trimLeftSpace(rest.dropFirst())
        let value = GoQuote.trimSpace(String(rest))
        guard !value.isEmpty else { return nil }
        return (name, value)
    }

    static func isComment(_ line: Substring.UnicodeScalarView) -> Bool { line.first == "#" }

    /// The escape character as the last non-blank character continues the line, unless it is
    /// itself escaped (`\\`). Returns the line without it and whether the instruction ends here.
    func trimContinuation(_ line: Substring.UnicodeScalarView) -> (Substring.UnicodeScalarView, Bool) {
        var end = line.endIndex
        while end > line.startIndex {
            let before = line.index(before: end)
            guard line[before] == " " || line[before] == "\t" else { break }
            end = before
        }
        guard end > line.startIndex else { return (line, true) }
        let last = line.index(before: end)
        guard line[last] == escape else { return (line, true) }
        if last == line.startIndex { return (line[last..<last], false) }
        if line[line.index(before: last)] == escape { return (line, true) }
        return (line[..<last], false)
    }
}
