/// Whether text is an image reference as Docker's `reference.ParseNormalizedNamed` accepts it
/// (`[host[:port]/]path[:tag][@algorithm:hex]`, lowercase path components), for the
/// InvalidDefaultArgInFrom rule. The parser knows nothing of registries; this is only the grammar.
enum ImageName {
    static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 255 + 128 + 80 else { return false }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            guard isDigest(rest[rest.index(after: at)...]) else { return false }
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            guard isTag(rest[rest.index(after: colon)...]) else { return false }
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            guard isDomain(first) else { return false }
            components.removeFirst()
        }
        return rest.count <= 255 && components.allSatisfy(isPathComponent)
    }

    private static func isLowerAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    private static func isPathComponent(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        var separator = ""
        for c in s {
            if isLowerAlnum(c) { separator = ""; continue }
            guard c == "." || c == "_" || c == "-" else { return false }
            separator.append(c)
            let ok = separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }
            guard ok else { return false }
        }
        return true
    }

    /// `[\w][\w.-]{0,127}`
    private static func isTag(_ s: Substring) -> Bool {
        func word(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        guard let first = s.first, word(first), s.count <= 128 else { return false }
        return s.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    /// `host[:port]`, host being DNS labels, an IPv4 address or `[IPv6]`.
    private static func isDomain(_ s: Substring) -> Bool {
        var host = s
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return false }
            host = s[...close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty { guard after.first == ":", after.dropFirst().allSatisfy(\.isNumber), after.count > 1 else { return false } }
            return true
        }
        if let colon = s.lastIndex(of: ":") {
            let port = s[s.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            host = s[..<colon]
        }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, first.isASCII, last.isASCII,
                  first.isLetter || first.isNumber, last.isLetter || last.isNumber else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `algorithm:hex`, the hex part at least 32 characters.
    private static func isDigest(_ s: Substring) -> Bool {
        guard let colon = s.firstIndex(of: ":") else { return false }
        let algorithm = s[..<colon], hex = s[s.index(after: colon)...]
        return !algorithm.isEmpty && algorithm.allSatisfy { isLowerAlnum($0) || "+._-".contains($0) }
            && hex.count >= 32 && hex.allSatisfy(\.isHexDigit)
    }
}
