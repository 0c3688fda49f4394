/// A `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
public struct Challenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [String: String]

    /// Parses one header value; quoted values may contain commas.
    public init?(header: String) {
        let trimmed = header.trimmingBlanks()
        guard let space = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = trimmed.lowercased()
            parameters = [:]
            return
        }
        scheme = trimmed[..<space].lowercased()
        var params: [String: String] = [:]
        var rest = Substring(trimmed[trimmed.index(after: space)...])
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingCharacters().lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest.removeFirst()
                while let c = rest.popFirst(), c != "\"" {
                    if c == "\\", let n = rest.popFirst() { value.append(n) } else { value.append(c) }
                }
            } else {
                let v = rest.prefix { $0 != "," }
                value = String(v).trimmingBlanks()
                rest = rest[v.endIndex...]
            }
            params[key] = value
        }
        parameters = params
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingBlanks() }
}
