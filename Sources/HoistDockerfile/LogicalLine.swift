/// One instruction's text after joining continuation lines, with where it started and ended.
public struct LogicalLine: Sendable, Equatable {
    public var text: String
    public var startLine: Int
    public var endLine: Int
    /// 1-based column of the first non-blank character on the start line.
    public var column: Int
}

/// Splits a Dockerfile into parser directives and logical lines, as BuildKit's parser does:
/// a line ending in the escape character continues on the next; comment lines and blank lines
/// inside a continuation are skipped.
public struct LineSplitter {
    public private(set) var directives: [String: String] = [:]
    public private(set) var escape: Character = "\\"
    public private(set) var lines: [LogicalLine] = []

    public init(text: String, file: String) throws {
        let physical = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        var index = 0
        try readDirectives(physical, &index, file: file)
        var pending: (text: String, start: Int, column: Int)?
        while index < physical.count {
            let number = index + 1
            let raw = physical[index]
            index += 1
            let trimmed = raw.drop { $0 == " " || $0 == "\t" }
            // Comment and blank lines are dropped, also inside a continuation (BuildKit allows both there).
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            var body = String(raw)
            let continues = LineSplitter.endsWithEscape(body, escape: escape)
            if continues {
                body = String(body.trimmingTrailingBlanks().dropLast())
            }
            if var p = pending {
                p.text += body
                pending = p
            } else {
                pending = (body, number, raw.count - trimmed.count + 1)
            }
            if !continues, let p = pending {
                lines.append(LogicalLine(text: p.text, startLine: p.start, endLine: number, column: p.column))
                pending = nil
            }
        }
        if let p = pending, !p.text.allSatisfy(\.isWhitespace) {
            lines.append(LogicalLine(text: p.text, startLine: p.start, endLine: physical.count, column: p.column))
        }
    }

    static func endsWithEscape(_ line: String, escape: Character) -> Bool {
        line.trimmingTrailingBlanks().last == escape
    }

    private mutating func readDirectives(_ physical: [Substring], _ index: inout Int, file: String) throws {
        while index < physical.count {
            let line = physical[index].trimmingCharacters()
            guard line.hasPrefix("#") else { return }
            let body = line.dropFirst().trimmingCharacters()
            guard let eq = body.firstIndex(of: "="), !body[..<eq].contains(" ") else { return }
            let key = body[..<eq].trimmingCharacters().lowercased()
            let value = body[body.index(after: eq)...].trimmingCharacters()
            guard ["syntax", "escape", "check"].contains(key) else { return }
            if directives[key] != nil {
                throw DockerfileError(SourceLocation(file: file, line: index + 1, column: 1), "parser directive \"\(key)\" is given twice; keep one")
            }
            directives[key] = value
            if key == "escape" {
                guard value == "\\" || value == "`" else {
                    throw DockerfileError(SourceLocation(file: file, line: index + 1, column: 1), "invalid escape character \"\(value)\": use \\ or `")
                }
                escape = Character(value)
            }
            index += 1
        }
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.trimmingTrailingBlanks())
    }

    func trimmingTrailingBlanks() -> SubSequence {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[startIndex..<end]
    }
}
