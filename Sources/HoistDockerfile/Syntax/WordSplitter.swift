/// Splits ENV, LABEL and ARG arguments into words the way BuildKit's parser does: blanks outside
/// quotes separate words; quotes and escapes stay in the words (expansion removes them later).
struct WordSplitter {
    let escape: Unicode.Scalar

    func split(_ text: Substring.UnicodeScalarView) -> [String] {
        let s = Array(text)
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        var quote: Unicode.Scalar?
        var blankOK = false
        var i = 0
        func finish() {
            if blankOK || !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
            blankOK = false
            inWord = false
        }
        while i < s.count {
            let c = s[i]
            if !inWord {
                if GoQuote.isSpace(c) { i += 1; continue }
                inWord = true
            }
            if let q = quote {
                if c == q { quote = nil }
                if c == escape, q != "'" {
                    if i + 1 == s.count { quote = nil; i += 1; continue }  // a lone escape at the end is dropped
                    word.append(c)
                    i += 1
                }
                word.append(s[i])
                i += 1
                continue
            }
            if GoQuote.isSpace(c) { finish(); i += 1; continue }
            if c == "'" || c == "\"" { quote = c; blankOK = true }
            if c == escape {
                if i + 1 == s.count { i += 1; continue }
                word.append(c)
                i += 1
            }
            word.append(s[i])
            i += 1
        }
        if inWord { finish() }
        return words
    }
}
