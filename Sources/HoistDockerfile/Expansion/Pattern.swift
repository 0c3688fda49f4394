import Glibc

/// Shell glob patterns (`*`, `?`, `[...]`) for `${v#p}`, `${v%p}` and `${v/p/r}`, by fnmatch(3).
enum Pattern {
    static func matches(_ pattern: String, _ text: Substring) -> Bool {
        fnmatch(pattern, String(text), 0) == 0
    }

    static func removePrefix(_ value: String, pattern: String, longest: Bool) -> String {
        let lengths = Array(0...value.count)
        for n in longest ? lengths.reversed() : lengths where matches(pattern, value.prefix(n)) {
            return String(value.dropFirst(n))
        }
        return value
    }

    static func removeSuffix(_ value: String, pattern: String, longest: Bool) -> String {
        let lengths = Array(0...value.count)
        for n in longest ? lengths.reversed() : lengths where matches(pattern, value.suffix(n)) {
            return String(value.dropLast(n))
        }
        return value
    }

    /// Replaces the leftmost longest match (every match with `all`), as bash does.
    static func replace(_ value: String, pattern: String, with replacement: String, all: Bool) -> String {
        guard !pattern.isEmpty else { return value }
        let chars = Array(value)
        var out = ""
        var start = 0
        var replaced = false
        while start < chars.count {
            if !replaced || all, let end = stride(from: chars.count, to: start, by: -1).first(where: {
                matches(pattern, Substring(String(chars[start..<$0])))
            }) {
                out += replacement
                start = end
                replaced = true
                continue
            }
            out.append(chars[start])
            start += 1
        }
        return out
    }
}
