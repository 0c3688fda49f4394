import Foundation

/// A JSON value written the way Go's `json.MarshalIndent(v, "", "  ")` writes it: members in the
/// order given, two-space indents, `"key": value`, and Go's escapes (`<`, `>`, `&`, U+2028 and
/// U+2029 as `\u…`). buildx prints `--call=…,format=json` results in this form.
indirect enum GoJSON {
    case string(String)
    case bool(Bool)
    case int(Int)
    case null
    case array([GoJSON])
    case object([(String, GoJSON)])

    func rendered(indent: String = "") -> String {
        switch self {
        case let .string(s): return GoJSON.quote(s)
        case let .bool(b): return b ? "true" : "false"
        case let .int(n): return String(n)
        case .null: return "null"
        case let .array(items):
            guard !items.isEmpty else { return "[]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case let .object(members):
            guard !members.isEmpty else { return "{}" }
            let inner = indent + "  "
            return "{\n" + members.map { inner + GoJSON.quote($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// An object without the members whose value is nil (Go's `omitempty` for the callers' optionals).
    static func members(_ pairs: [(String, GoJSON?)]) -> GoJSON {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }
}
