/// buildx's comma-separated `key=value` lists, as `--output`, `--cache-to` and `--cache-from`
/// take them (`type=registry,compression=zstd`), and their booleans.
public enum BuildxAttributes {
    /// The fields of `text`; a part without `=` gives none (the caller says whether that is an error).
    public static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        return fields
    }

    /// `true`/`1` or `false`/`0`, in any case, as buildx's ParseBool reads them; nil for anything else.
    public static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }
}
