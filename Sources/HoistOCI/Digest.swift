/// A content digest such as `sha256:e3b0…`, as in image-spec's descriptor.md.
/// Only sha256 is produced; sha512 is accepted when parsing so a foreign descriptor round-trips.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let algorithm: String
    public let encoded: String

    public init(algorithm: String, encoded: String) throws {
        let lengths = ["sha256": 64, "sha512": 128]
        guard let length = lengths[algorithm] else {
            throw DigestError.unsupportedAlgorithm(algorithm)
        }
        guard encoded.utf8.count == length, encoded.utf8.allSatisfy({ ("0"..."9").contains(Character(UnicodeScalar($0))) || ("a"..."f").contains(Character(UnicodeScalar($0))) }) else {
            throw DigestError.malformed("\(algorithm):\(encoded)")
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else { throw DigestError.malformed(text) }
        try self.init(algorithm: String(text[..<colon]), encoded: String(text[text.index(after: colon)...]))
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<C: Collection>(of bytes: C) -> Digest where C.Element == UInt8 {
        let hasher = SHA256Hasher()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

public enum DigestError: Error, CustomStringConvertible, Equatable {
    case unsupportedAlgorithm(String)
    case malformed(String)

    public var description: String {
        switch self {
        case let .unsupportedAlgorithm(a): "unsupported digest algorithm \"\(a)\" (only sha256 and sha512 are known)"
        case let .malformed(t): "\"\(t)\" is not a valid digest (expected sha256: followed by 64 lowercase hex digits)"
        }
    }
}
