import Foundation
import HoistOCI

public enum ContentError: Error, CustomStringConvertible {
    case digestMismatch(expected: Digest, actual: Digest, source: String)
    case sizeMismatch(expected: Int64, actual: Int64, source: String)
    case io(path: String, operation: String, errno: Int32)
    case missing(Digest)
    /// A `BlobStream` whose other side gave up, and why.
    case stopped(String)

    public var description: String {
        switch self {
        case let .digestMismatch(expected, actual, source):
            "\(source): content does not match its digest (expected \(expected), got \(actual)); nothing was stored"
        case let .sizeMismatch(expected, actual, source):
            "\(source): content is \(actual) bytes but its descriptor says \(expected); nothing was stored"
        case let .io(path, operation, code):
            "\(path): cannot \(operation): \(String(cString: strerror(code)))"
        case let .missing(digest):
            "blob \(digest) is not in the local store"
        case let .stopped(reason):
            "the blob's stream stopped: \(reason)"
        }
    }
}
