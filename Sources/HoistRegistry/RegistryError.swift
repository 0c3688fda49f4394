import HoistOCI

/// What went wrong talking to a registry, said for the person at the terminal:
/// which registry and repository, the registry's own error code, and what to try.
public enum RegistryError: Error, CustomStringConvertible {
    case unreachable(host: String, detail: String)
    case notFound(endpoint: Endpoint, reference: String)
    case unauthorized(endpoint: Endpoint, detail: String)
    case server(endpoint: Endpoint, status: Int, code: String?, message: String?, action: String)
    case blocked(name: String, file: String)
    case schema1(endpoint: Endpoint, reference: String)
    case unsupportedMediaType(endpoint: Endpoint, reference: String, mediaType: String)
    case manifestTooLarge(endpoint: Endpoint, reference: String, size: Int)
    case noMatchingPlatform(endpoint: Endpoint, reference: String, wanted: Platform, offered: [String])
    case digestMismatch(source: String, expected: Digest, actual: Digest)
    case badResponse(endpoint: Endpoint, detail: String)
    case badCredentials(file: String, detail: String)
    case badTLS(host: String, detail: String)
    case rateLimited(endpoint: Endpoint, retryAfter: Int, action: String)
    case gaveUp(endpoint: Endpoint, attempts: Int, action: String, last: String)

    public var description: String {
        switch self {
        case let .unreachable(host, detail):
            detail.contains("certificate")
                ? "registry \(host) is unreachable: \(detail). If the registry's certificate is signed by your own CA, put the CA in /etc/docker/certs.d/\(host)/ca.crt (or /etc/containers/certs.d/\(host)/); --insecure-registry \(host) turns verification off"
                : "registry \(host) is unreachable: \(detail). Check the address and that the registry is running"
        case let .notFound(endpoint, reference):
            "\(endpoint)\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference) not found (MANIFEST_UNKNOWN): check the tag or digest exists in that repository"
        case let .unauthorized(endpoint, detail):
            "\(endpoint): access denied (\(detail)); check the repository name and your access, and log in with `hoist login \(endpoint.host)`"
        case let .server(endpoint, status, code, message, action):
            "\(endpoint): \(action) failed with HTTP \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")"
        case let .blocked(name, file):
            "\(name) is blocked by \(file) (blocked = true)"
        case let .schema1(endpoint, reference):
            "\(endpoint):\(reference) is a Docker schema 1 manifest, which is deprecated and not supported: re-push the image with a current tool"
        case let .unsupportedMediaType(endpoint, reference, mediaType):
            "\(endpoint):\(reference) has media type \(mediaType), which is not an image manifest or index"
        case let .manifestTooLarge(endpoint, reference, size):
            "\(endpoint):\(reference): manifest is \(size) bytes, more than the 4 MiB limit; refusing it"
        case let .noMatchingPlatform(endpoint, reference, wanted, offered):
            "\(endpoint):\(reference) has no image for \(wanted); it offers: \(offered.isEmpty ? "none" : offered.joined(separator: ", ")). Choose one with --platform"
        case let .digestMismatch(source, expected, actual):
            "\(source): content does not match its digest (expected \(expected), got \(actual)); nothing was stored"
        case let .badResponse(endpoint, detail):
            "\(endpoint): unexpected response from the registry: \(detail)"
        case let .badCredentials(file, detail):
            "\(file): \(detail)"
        case let .badTLS(host, detail):
            "TLS settings for \(host): \(detail)"
        case let .rateLimited(endpoint, retryAfter, action):
            "\(endpoint): \(action) was refused with HTTP 429 TOOMANYREQUESTS (rate limit); the registry asks to wait \(retryAfter) s, longer than hoist waits: try again later or log in for a higher limit"
        case let .gaveUp(endpoint, attempts, action, last):
            "\(endpoint): \(action) failed \(attempts) times; last: \(last)"
        }
    }
}

/// The OCI distribution error body: `{"errors":[{"code":…,"message":…,"detail":…}]}`.
struct DistributionErrors: Decodable {
    struct Entry: Decodable {
        var code: String?
        var message: String?
    }
    var errors: [Entry]?
}
