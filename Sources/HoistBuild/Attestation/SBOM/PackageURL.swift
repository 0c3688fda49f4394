/// A package URL, `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`, built the way purl-spec
/// (https://github.com/package-url/purl-spec, PURL-SPECIFICATION.rst) canonicalises it:
/// the type lowercased; each namespace segment, the name and the version percent-encoded, keeping
/// only the unreserved `A-Z a-z 0-9 . - _ ~` (so a Debian epoch's `:` is `%3A`, `+` is `%2B`, an npm
/// scope's `@` is `%40`); qualifiers with lowercased keys, sorted by key, values percent-encoded the
/// same way, empty values left out. Empty namespace segments are dropped; there is no subpath.
/// For `pypi` the name is normalised as PEP 503 does (lowercase, each run of `-_.` one `-`).
public struct PackageURL: Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var namespace: [String]
    public var name: String
    /// Nil or empty: the purl has no `@VERSION`.
    public var version: String?
    public var qualifiers: [String: String]

    public init(type: String, namespace: [String] = [], name: String, version: String?, qualifiers: [String: String] = [:]) {
        self.type = type
        self.namespace = namespace
        self.name = name
        self.version = version
        self.qualifiers = qualifiers
    }

    /// A slash-separated path (a Go module path, a scoped npm name) as namespace segments and a name:
    /// `github.com/pkg/errors` is namespace `github.com/pkg`, name `errors`.
    public init(type: String, path: String, version: String?, qualifiers: [String: String] = [:]) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let name = segments.popLast() ?? ""
        self.init(type: type, namespace: segments, name: name, version: version, qualifiers: qualifiers)
    }

    /// The canonical string.
    public var description: String {
        let type = type.lowercased()
        var text = "pkg:" + type + "/"
        for segment in namespace where !segment.isEmpty {
            text += Self.percentEncoded(segment) + "/"
        }
        text += Self.percentEncoded(type == "pypi" ? Self.pypiNormalised(name) : name)
        if let version, !version.isEmpty { text += "@" + Self.percentEncoded(version) }
        let kept = qualifiers
            .map { (key: $0.key.lowercased(), value: $0.value) }
            .filter { !$0.key.isEmpty && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }
        if !kept.isEmpty {
            text += "?" + kept.map { Self.percentEncoded($0.key) + "=" + Self.percentEncoded($0.value) }.joined(separator: "&")
        }
        return text
    }

    /// PEP 503's normalised project name, which purl-spec's pypi type asks for.
    static func pypiNormalised(_ name: String) -> String {
        var result = "", inSeparatorRun = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !inSeparatorRun { result.append("-") }
                inSeparatorRun = true
            } else {
                result.append(character)
                inSeparatorRun = false
            }
        }
        return result
    }

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789ABCDEF".unicodeScalars)

    /// Every UTF-8 byte outside the unreserved set as `%XX` (upper-case hex).
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                result.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
