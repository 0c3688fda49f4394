/// BuildKit's shell-word rules for Dockerfile arguments: splitting on unquoted blanks, and
/// expanding `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}` while removing quotes.
public struct ShellWords: Sendable {
    public var escape: Character

    public init(escape: Character = "\\") {
        self.escape = escape
    }

    /// Splits on blanks outside quotes; quotes and escapes stay in the words for `expand`.
    public func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quote == nil, c == " " || c == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            inWord = true
            current.append(c)
            if c == escape, quote != "'", let next = chars.popFirst() {
                current.append(next)
            } else if c == "\"" || c == "'" {
                if quote == nil { quote = c } else if quote == c { quote = nil }
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Expands variables from `environment` and removes quotes and escapes.
    /// An unset variable expands to nothing, as in BuildKit.
    public func expand(_ word: String, _ environment: [String: String]) throws -> String {
        var out = ""
        var chars = Array(word)[...]
        var quote: Character?
        while let c = chars.popFirst() {
            switch c {
            case "'" where quote == nil, "\"" where quote == nil:
                quote = c
            case "'" where quote == "'", "\"" where quote == "\"":
                quote = nil
            case escape where quote != "'":
                guard let next = chars.popFirst() else { out.append(c); break }
                // Inside double quotes only $, " and the escape itself are escapable, as in sh.
                if quote == "\"", next != "$", next != "\"", next != escape { out.append(c) }
                out.append(next)
            case "$" where quote != "'":
                out += try variable(&chars, environment)
            default:
                out.append(c)
            }
        }
        if let quote { throw ShellWordsError.unterminatedQuote(quote, word) }
        return out
    }

    private func variable(_ chars: inout ArraySlice<Character>, _ env: [String: String]) throws -> String {
        func isNameChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        guard let first = chars.first else { return "$" }
        if first != "{" {
            guard isNameChar(first) else { return "$" }
            var name = ""
            while let c = chars.first, isNameChar(c) { name.append(c); chars.removeFirst() }
            return env[name] ?? ""
        }
        chars.removeFirst()
        var name = ""
        while let c = chars.first, isNameChar(c) { name.append(c); chars.removeFirst() }
        guard !name.isEmpty else { throw ShellWordsError.badSubstitution(String(chars)) }
        var op = ""
        if chars.first == ":" { op.append(chars.removeFirst()) }
        if let c = chars.first, c == "-" || c == "+" || c == "?" { op.append(chars.removeFirst()) }
        if op == ":" { throw ShellWordsError.unsupportedModifier(name) }
        var depth = 0
        var wordText = ""
        while true {
            guard let c = chars.popFirst() else { throw ShellWordsError.missingBrace(name) }
            if c == "{" { depth += 1 }
            if c == "}" { if depth == 0 { break }; depth -= 1 }
            wordText.append(c)
        }
        if op.isEmpty {
            guard wordText.isEmpty else { throw ShellWordsError.unsupportedModifier(name) }
            return env[name] ?? ""
        }
        if !op.isEmpty, wordText.isEmpty, op.hasSuffix("?") == false, !["-", ":-", "+", ":+"].contains(op) {
            throw ShellWordsError.unsupportedModifier(name)
        }
        let value = env[name]
        let setAndNonEmpty = (value ?? "").isEmpty == false
        let isSet = value != nil
        let word = { try self.expand(wordText, env) }
        switch op {
        case ":-": return setAndNonEmpty ? value! : try word()
        case "-": return isSet ? value! : try word()
        case ":+": return setAndNonEmpty ? try word() : ""
        case "+": return isSet ? try word() : ""
        case ":?", "?":
            let ok = op == "?" ? isSet : setAndNonEmpty
            if ok { return value! }
            throw ShellWordsError.required(name, try word())
        default: throw ShellWordsError.unsupportedModifier(name)
        }
    }
}

public enum ShellWordsError: Error, CustomStringConvertible {
    case unterminatedQuote(Character, String)
    case missingBrace(String)
    case badSubstitution(String)
    case unsupportedModifier(String)
    case required(String, String)

    public var description: String {
        switch self {
        case let .unterminatedQuote(q, w): "unterminated \(q) quote in \(w)"
        case let .missingBrace(n): "missing } after ${\(n)"
        case let .badSubstitution(t): "bad substitution ${\(t)"
        case let .unsupportedModifier(n): "unsupported modifier in ${\(n)...}: use ${\(n)}, ${\(n):-default}, ${\(n)-default}, ${\(n):+alt} or ${\(n)+alt}"
        case let .required(n, m): "\(n): \(m.isEmpty ? "is not set" : m)"
        }
    }
}
