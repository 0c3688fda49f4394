/// Go's `strconv.Quote` and `strings.TrimSpace`, so dumps match BuildKit's byte for byte.
public enum GoQuote {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, 2)
                } else if v < 0x80 || isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if v < 0x10000 {
                    out += "\\u" + hex(v, 4)
                } else {
                    out += "\\U" + hex(v, 8)
                }
            }
        }
        return out + "\""
    }

    /// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols (and ASCII space).
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Go's unicode.IsSpace.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        default: return s.value > 0xFF && s.properties.isWhitespace
        }
    }

    static func trimSpace(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }

    static func trimLeftSpace(_ s: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        guard let first = s.firstIndex(where: { !isSpace($0) }) else { return s[s.endIndex...] }
        return s[first...]
    }
}
