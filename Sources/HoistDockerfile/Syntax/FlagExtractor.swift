/// Takes the leading `--name[=value]` words off an instruction's arguments, as BuildKit's
/// extractBuilderFlags does: quotes are removed, a backslash escapes the next character, and a
/// bare `--` ends the flags.
enum FlagExtractor {
    static func extract(_ line: Substring.UnicodeScalarView) -> (rest: Substring.UnicodeScalarView, flags: [String]) {
        var flags: [String] = []
        var index = line.startIndex
        while true {
            while index < line.endIndex, GoQuote.isSpace(line[index]) { index = line.index(after: index) }
            guard index < line.endIndex, line[index] == "-", line.index(after: index) < line.endIndex,
                  line[line.index(after: index)] == "-" else { return (line[index...], flags) }
            var word = String.UnicodeScalarView()
            var blankOK = false
            var quote: Unicode.Scalar?
            while index < line.endIndex {
                var c = line[index]
                if let q = quote {
                    if c == q { quote = nil; index = line.index(after: index); continue }
                    if c == "\\" {
                        let next = line.index(after: index)
                        if next == line.endIndex { quote = nil; index = next; continue }
                        index = next
                        c = line[index]
                    }
                    word.append(c)
                    index = line.index(after: index)
                    continue
                }
                if GoQuote.isSpace(c) { break }
                if c == "'" || c == "\"" { quote = c; blankOK = true; index = line.index(after: index); continue }
                if c == "\\" {
                    let next = line.index(after: index)
                    if next == line.endIndex { index = next; continue }
                    index = next
                    c = line[index]
                }
                word.append(c)
                index = line.index(after: index)
            }
            let text = String(word)
            if text == "--" { return (line[index...], flags) }
            if blankOK || !text.isEmpty { flags.append(text) }
            if index == line.endIndex { return (line[index...], flags) }
        }
    }
}
