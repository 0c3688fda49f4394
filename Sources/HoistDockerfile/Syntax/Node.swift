/// One instruction in BuildKit's parse tree: the keyword as written, its `--flags`, and its
/// arguments as the instruction's line parser split them. ONBUILD holds its trigger as a child.
public struct Node: Sendable, Equatable {
    public indirect enum Argument: Sendable, Equatable {
        case word(String)
        case child(Node)
    }

    /// The keyword as written (`FROM`, `from`, `Copy`).
    public var keyword: String
    public var flags: [String]
    public var arguments: [Argument]
    /// The arguments came from a JSON array (exec form).
    public var isJSON: Bool
    /// The instruction's text after continuation lines were joined.
    public var original: String
    public var startLine: Int
    public var endLine: Int
    /// 1-based column of the keyword on the start line.
    public var column: Int
    public var heredocs: [Heredoc]
    /// The comment lines right above the instruction (BuildKit's PrevComment): without the `#` and
    /// surrounding blanks; an empty `#` line clears them, a blank line does not. Stage and ARG
    /// descriptions come from here.
    public var comments: [String] = []

    public init(keyword: String, flags: [String] = [], arguments: [Argument] = [], isJSON: Bool = false,
                original: String = "", startLine: Int = 0, endLine: Int = 0, column: Int = 1, heredocs: [Heredoc] = []) {
        self.keyword = keyword
        self.flags = flags
        self.arguments = arguments
        self.isJSON = isJSON
        self.original = original
        self.startLine = startLine
        self.endLine = endLine
        self.column = column
        self.heredocs = heredocs
    }

    /// The plain words among the arguments.
    public var words: [String] {
        arguments.compactMap { if case let .word(w) = $0 { w } else { nil } }
    }

    /// BuildKit's S-expression form: `copy ["--from=x"] "a" "/b"`, `onbuild (run "echo")`.
    public func dump() -> String {
        var out = keyword.lowercased()
        if !flags.isEmpty { out += " [" + flags.map(GoQuote.quote).joined(separator: " ") + "]" }
        for argument in arguments {
            switch argument {
            case let .word(w): out += " " + GoQuote.quote(w)
            case let .child(node): out += " (" + node.dump() + ")"
            }
        }
        return GoQuote.trimSpace(out)
    }
}

/// A heredoc attached to RUN, COPY or ADD: `<<EOF` … `EOF`.
public struct Heredoc: Sendable, Equatable {
    public var name: String
    public var fileDescriptor: Int
    /// False when the delimiter was quoted (`<<"EOF"`): the body is taken literally.
    public var expand: Bool
    /// `<<-EOF`: leading tabs are removed from the body and the terminator.
    public var chomp: Bool
    public var content: String

    /// The delimiter named by a `<<NAME` word, if the word is a heredoc marker.
    public static func name(ofMarker word: String) -> String? { HeredocReader.heredoc(from: word)?.name }

    /// The body as written into a file: leading tabs dropped with `<<-`, expanded by
    /// `ShellWords.expandHeredoc` unless the delimiter was quoted.
    public func body(environment: [String: String]) throws -> String {
        var text = content
        if chomp {
            text = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String(String.UnicodeScalarView($0.drop { $0 == "\t" })) }.joined(separator: "\n")
        }
        return expand ? try ShellWords.expandHeredoc(text, environment) : text
    }
}
