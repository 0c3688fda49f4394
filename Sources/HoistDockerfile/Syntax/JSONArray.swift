/// Reads the JSON array at the start of a string the way Go's `json.Decoder` does for BuildKit's
/// exec form: the first JSON value is decoded and anything after it is ignored.
enum JSONArray {
    enum Outcome: Equatable {
        case strings([String])
        /// Valid JSON, but not an array of strings only: BuildKit refuses the instruction.
        case notStrings
        /// Not valid JSON: BuildKit falls back to the shell form.
        case invalid
    }

    static func parse(_ text: Substring.UnicodeScalarView) -> Outcome {
        var reader = Reader(scalars: Array(text), position: 0)
        reader.skipSpace()
        guard reader.peek == "[" else { return .invalid }
        guard let value = reader.value(depth: 0), case let .array(items) = value else { return .invalid }
        var strings: [String] = []
        for item in items {
            guard case let .string(s) = item else { return .notStrings }
            strings.append(s)
        }
        return .strings(strings)
    }

    private indirect enum Value {
        case string(String)
        case array([Value])
        case other
    }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        var position: Int

        var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func skipSpace() {
            while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            for expected in word.unicodeScalars {
                guard peek == expected else { return false }
                position += 1
            }
            return true
        }

        mutating func value(depth: Int) -> Value? {
            guard depth < 10_000 else { return nil }
            skipSpace()
            guard let c = peek else { return nil }
            switch c {
            case "[":
                position += 1
                var items: [Value] = []
                skipSpace()
                if peek == "]" { position += 1; return .array(items) }
                while true {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                    skipSpace()
                    guard let sep = peek else { return nil }
                    position += 1
                    if sep == "]" { return .array(items) }
                    guard sep == "," else { return nil }
                }
            case "{":
                position += 1
                skipSpace()
                if peek == "}" { position += 1; return .other }
                while true {
                    skipSpace()
                    guard peek == "\"", string() != nil else { return nil }
                    skipSpace()
                    guard peek == ":" else { return nil }
                    position += 1
                    guard value(depth: depth + 1) != nil else { return nil }
                    skipSpace()
                    guard let sep = peek else { return nil }
                    position += 1
                    if sep == "}" { return .other }
                    guard sep == "," else { return nil }
                }
            case "\"":
                return string().map(Value.string)
            case "t": return literal("true") ? .other : nil
            case "f": return literal("false") ? .other : nil
            case "n": return literal("null") ? .other : nil
            default:
                return number() ? .other : nil
            }
        }

        mutating func number() -> Bool {
            let start = position
            if peek == "-" { position += 1 }
            func digits() -> Int { var n = 0; while let c = peek, ("0"..."9").contains(c) { position += 1; n += 1 }; return n }
            if peek == "0" { position += 1 } else if digits() == 0 { return false }
            if peek == "." { position += 1; if digits() == 0 { return false } }
            if peek == "e" || peek == "E" {
                position += 1
                if peek == "+" || peek == "-" { position += 1 }
                if digits() == 0 { return false }
            }
            return position > start
        }

        mutating func string() -> String? {
            position += 1
            var out = String.UnicodeScalarView()
            while let c = peek {
                position += 1
                switch c {
                case "\"": return String(out)
                case "\\":
                    guard let e = peek else { return nil }
                    position += 1
                    switch e {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        guard let high = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(high), peek == "\\", position + 1 < scalars.count, scalars[position + 1] == "u" {
                            let save = position
                            position += 2
                            if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                                out.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                                continue
                            }
                            position = save
                        }
                        out.append(Unicode.Scalar(high) ?? "\u{FFFD}")
                    default: return nil
                    }
                default:
                    guard c.value >= 0x20 else { return nil }
                    out.append(c)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= scalars.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard scalars[position].isASCII, let d = UInt32(String(scalars[position]), radix: 16) else { return nil }
                v = v * 16 + d
                position += 1
            }
            return v
        }
    }
}
