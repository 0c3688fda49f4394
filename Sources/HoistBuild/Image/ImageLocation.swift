import HoistOCI

/// Where `hoist copy` reads or writes an image, in skopeo's transport syntax.
public enum ImageLocation: Sendable, Equatable, CustomStringConvertible {
    /// `docker://REF`
    case registry(Reference)
    /// `oci:DIR[:TAG]`
    case layout(path: String, tag: String?)
    /// `oci-archive:FILE[:TAG]`
    case archive(path: String, tag: String?)

    public init(parsing text: String) throws {
        if text.hasPrefix("docker://") {
            self = .registry(try Reference(parsing: String(text.dropFirst("docker://".count))))
        } else if text.hasPrefix("oci:") || text.hasPrefix("oci-archive:") {
            let isArchive = text.hasPrefix("oci-archive:")
            let rest = String(text.dropFirst(isArchive ? "oci-archive:".count : "oci:".count))
            guard !rest.isEmpty else { throw TransferError.badLocation(text, "a path is missing") }
            var path = rest, tag: String?
            if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
                path = String(rest[..<colon])
                tag = String(rest[rest.index(after: colon)...])
            }
            self = isArchive ? .archive(path: path, tag: tag) : .layout(path: path, tag: tag)
        } else {
            throw TransferError.badLocation(text, "use docker://REF, oci:DIR[:TAG] or oci-archive:FILE[:TAG]")
        }
    }

    public var description: String {
        switch self {
        case let .registry(r): "docker://\(r)"
        case let .layout(p, t): "oci:\(p)\(t.map { ":" + $0 } ?? "")"
        case let .archive(p, t): "oci-archive:\(p)\(t.map { ":" + $0 } ?? "")"
        }
    }
}

public enum TransferError: Error, CustomStringConvertible {
    case badLocation(String, String)
    case notFound(String, String)
    case corrupt(String, String)

    public var description: String {
        switch self {
        case let .badLocation(text, why): "\(text): \(why)"
        case let .notFound(location, what): "\(location): \(what)"
        case let .corrupt(location, what): "\(location): \(what)"
        }
    }
}
