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

    /// Removes quotes and escapes but leaves `$` alone (a heredoc delimiter's name).
    public func removeQuotes(_ word: String) throws -> String {
        var out = ""
        var quote: Character?
        var chars = Array(word)[...]
        while let c = chars.popFirst() {
            if (c == "'" || c == "\"") && (quote == nil || quote == c) {
                quote = quote == nil ? c : nil
            } else if c == escape, quote != "'", let next = chars.popFirst() {
                out.append(next)
            } else {
                out.append(c)
            }
        }
        if let quote { throw ShellWordsError.unterminatedQuote(quote, word) }
        return out
    }

    /// Expands a heredoc body whose delimiter is unquoted, as BuildKit's `ExpandRaw` does (a lexer
    /// with `SkipProcessQuotes`): `$V` and `${…}` expand, quotes are plain characters, and the escape
    /// character removes itself and keeps the next one (`\t` is `t`, `\\` is `\`, `\$V` is `$V`).
    /// BuildKit's lexer there always uses `\`, whatever the `# escape=` directive says.
    public static func expandHeredoc(_ text: String, _ environment: [String: String]) throws -> String {
        let words = ShellWords(escape: "\\")
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == words.escape {
                if let next = chars.popFirst() { out.append(next) }
            } else if c == "$" {
                out += try words.variable(&chars, environment, nil)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Expands variables from `environment` and removes quotes and escapes.
    /// An unset variable expands to nothing, as in BuildKit.
    public func expand(_ word: String, _ environment: [String: String]) throws -> String {
        try expand(word, environment, nil)
    }

    /// `expand`, also telling which variables the word named: those `environment` has (BuildKit's
    /// `Matched`) and those it has not (`Unmatched`), for the lint rules and `--call=outline`.
    public func expandReporting(_ word: String, _ environment: [String: String]) throws -> (result: String, matched: Set<String>, unmatched: Set<String>) {
        let names = NameRecorder()
        let result = try expand(word, environment, names)
        return (result, names.names.filter { environment[$0] != nil }, names.names.filter { environment[$0] == nil })
    }

    private final class NameRecorder {
        var names: Set<String> = []
    }

    private func expand(_ word: String, _ environment: [String: String], _ names: NameRecorder?) throws -> String {
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
                out += try variable(&chars, environment, names)
            default:
                out.append(c)
            }
        }
        if let quote { throw ShellWordsError.unterminatedQuote(quote, word) }
        return out
    }

    private func variable(_ chars: inout ArraySlice<Character>, _ env: [String: String], _ names: NameRecorder?) throws -> String {
        func isNameChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        guard let first = chars.first else { return "$" }
        if first != "{" {
            guard isNameChar(first) else { return "$" }
            var name = ""
            while let c = chars.first, isNameChar(c) { name.append(c); chars.removeFirst() }
            names?.names.insert(name)
            return env[name] ?? ""
        }
        chars.removeFirst()
        var name = ""
        while let c = chars.first, isNameChar(c) { name.append(c); chars.removeFirst() }
        guard !name.isEmpty else { throw ShellWordsError.badSubstitution(String(chars.prefix(20))) }
        var op = ""
        switch chars.first {
        case ":":
            chars.removeFirst()
            guard let c = chars.first, c == "-" || c == "+" || c == "?" else { throw ShellWordsError.unsupportedModifier(name) }
            op = ":" + String(chars.removeFirst())
        case "-", "+", "?":
            op = String(chars.removeFirst())
        case "#", "%", "/":
            let c = chars.removeFirst()
            op = String(c)
            if chars.first == c { op.append(chars.removeFirst()) }
        case "}", nil:
            break
        default:
            throw ShellWordsError.unsupportedModifier(name)
        }
        let wordText = try braced(&chars, name)
        names?.names.insert(name)
        let value = env[name]
        if op.isEmpty {
            guard wordText.isEmpty else { throw ShellWordsError.unsupportedModifier(name) }
            return value ?? ""
        }
        let setAndNonEmpty = !(value ?? "").isEmpty
        let word = { try self.expand(wordText, env, names) }
        switch op {
        case ":-": return setAndNonEmpty ? value! : try word()
        case "-": if let value { return value } else { return try word() }
        case ":+": return setAndNonEmpty ? try word() : ""
        case "+": return value != nil ? try word() : ""
        case ":?", "?":
            if op == "?" ? value != nil : setAndNonEmpty { return value! }
            throw ShellWordsError.required(name, try word())
        case "#", "##":
            return Pattern.removePrefix(value ?? "", pattern: try word(), longest: op == "##")
        case "%", "%%":
            return Pattern.removeSuffix(value ?? "", pattern: try word(), longest: op == "%%")
        default:  // "/" or "//": ${v/pattern/replacement}
            let (pattern, replacement) = splitReplacement(wordText)
            return Pattern.replace(value ?? "", pattern: try expand(pattern, env, names), with: try expand(replacement, env, names), all: op == "//")
        }
    }

    /// The text up to the `}` that closes the substitution, with nested braces kept.
    private func braced(_ chars: inout ArraySlice<Character>, _ name: String) throws -> String {
        var depth = 0
        var text = ""
        while true {
            guard let c = chars.popFirst() else { throw ShellWordsError.missingBrace(name) }
            if c == escape, let next = chars.popFirst() { text.append(c); text.append(next); continue }
            if c == "{" { depth += 1 }
            if c == "}" { if depth == 0 { return text }; depth -= 1 }
            text.append(c)
        }
    }

    /// `pattern/replacement`: the first unescaped `/` separates them; no `/` means an empty replacement.
    private func splitReplacement(_ text: String) -> (String, String) {
        var pattern = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == escape, let next = chars.popFirst() { pattern.append(c); pattern.append(next); continue }
            if c == "/" { return (pattern, String(chars)) }
            pattern.append(c)
        }
        return (pattern, "")
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
        case let .badSubstitution(t): "bad substitution: ${ must be followed by a variable name (found \"${\(t)\")"
        case let .unsupportedModifier(n): "unsupported modifier in ${\(n)...}: use one of ${\(n):-w} ${\(n)-w} ${\(n):+w} ${\(n)+w} ${\(n):?e} ${\(n)#p} ${\(n)##p} ${\(n)%p} ${\(n)%%p} ${\(n)/p/r} ${\(n)//p/r}"
        case let .required(n, m): "\(n): \(m.isEmpty ? "is not set" : m)"
        }
    }
}
