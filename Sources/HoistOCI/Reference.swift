/// An image reference, normalised as docker does: `busybox` is `docker.io/library/busybox:latest`.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    /// Registry host with optional port: `docker.io`, `127.0.0.1:5000`, `localhost`.
    public var domain: String
    /// Repository path inside the registry: `library/busybox`.
    public var path: String
    public var tag: String?
    public var digest: Digest?

    public static let dockerHub = "docker.io"

    public init(domain: String, path: String, tag: String? = nil, digest: Digest? = nil) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference the way `docker pull` does (distribution/reference's ParseNormalizedNamed).
    public init(parsing text: String) throws {
        guard !text.isEmpty else { throw ReferenceError.empty }
        if text.utf8.count == 64, text.utf8.allSatisfy(Reference.isHexDigit) {
            throw ReferenceError.bareDigest(text)
        }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try Digest(parsing: String(rest[rest.index(after: at)...])) } catch { throw ReferenceError.invalidDigest(text) }
            rest = rest[..<at]
        }
        var tag: String?
        // A colon after the last slash starts the tag; one before it belongs to the port.
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let t = String(rest[rest.index(after: colon)...])
            guard Reference.isValidTag(t) else { throw ReferenceError.invalidFormat(text) }
            tag = t
            rest = rest[..<colon]
        }
        var domain = Reference.dockerHub
        var path = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = String(rest[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = first
                path = String(rest[rest.index(after: slash)...])
            }
        }
        if domain == "index.docker.io" { domain = Reference.dockerHub }
        guard Reference.isValidDomain(domain) else { throw ReferenceError.invalidFormat(text) }
        if path.lowercased() != path, Reference.isValidPath(path.lowercased()) {
            throw ReferenceError.uppercase(domain == Reference.dockerHub && !path.contains("/") ? "library/" + path : path)
        }
        guard Reference.isValidPath(path) else {
            throw path.isEmpty ? ReferenceError.noComponents(text) : ReferenceError.invalidFormat(text)
        }
        if domain == Reference.dockerHub, !path.contains("/") { path = "library/" + path }
        guard domain.utf8.count + 1 + path.utf8.count <= 255 else { throw ReferenceError.nameTooLong(text) }
        self.init(domain: domain, path: path, tag: tag, digest: digest)
    }

    /// The reference with `latest` filled in when neither tag nor digest was given.
    public var withDefaultTag: Reference {
        var r = self
        if r.tag == nil, r.digest == nil { r.tag = "latest" }
        return r
    }

    /// `domain/path`, without tag or digest.
    public var name: String { "\(domain)/\(path)" }

    /// What to ask the registry for: the digest when pinned, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    public var description: String {
        var s = name
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    static func isHexDigit(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) }

    static func isValidTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard (1...128).contains(u.count) else { return false }
        func word(_ c: UInt8) -> Bool { (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) || c == 95 }
        return word(u[0]) && u.dropFirst().allSatisfy { word($0) || $0 == 46 || $0 == 45 }
    }

    /// Path components: `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
    static func isValidPath(_ p: String) -> Bool {
        guard !p.isEmpty else { return false }
        for component in p.split(separator: "/", omittingEmptySubsequences: false) {
            let u = Array(component.utf8)
            func alnum(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...122).contains(c) }
            guard let first = u.first, let last = u.last, alnum(first), alnum(last) else { return false }
            var i = 0
            while i < u.count {
                if alnum(u[i]) { i += 1; continue }
                var j = i
                while j < u.count, !alnum(u[j]) { j += 1 }
                let sep = String(decoding: u[i..<j], as: UTF8.self)
                let ok = sep == "." || sep == "_" || sep == "__" || sep.allSatisfy { $0 == "-" }
                guard ok else { return false }
                i = j
            }
        }
        return true
    }

    static func isValidDomain(_ d: String) -> Bool {
        var host = Substring(d)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let after = host[host.index(after: close)...]
            return after.isEmpty || (after.first == ":" && after.dropFirst().allSatisfy(\.isNumber) && after.count > 1)
        }
        if let colon = host.firstIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            host = host[..<colon]
        }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let f = label.first, let l = label.last, f.isASCII, f.isLetter || f.isNumber, l.isASCII, l.isLetter || l.isNumber else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// The errors docker gives for bad image names, with the name quoted.
public enum ReferenceError: Error, CustomStringConvertible, Equatable {
    case empty
    case invalidFormat(String)
    case uppercase(String)
    case noComponents(String)
    case nameTooLong(String)
    case invalidDigest(String)
    case bareDigest(String)

    public var description: String {
        switch self {
        case .empty: "invalid reference format: the image name is empty"
        case let .invalidFormat(t): "invalid reference format: \"\(t)\" is not an image name (expected [registry/]repository[:tag][@digest])"
        case let .uppercase(p): "invalid reference format: repository name (\(p)) must be lowercase"
        case let .noComponents(t): "invalid reference format: \"\(t)\": repository name must have at least one component"
        case let .nameTooLong(t): "invalid reference format: \"\(t)\": repository name must not be more than 255 characters"
        case let .invalidDigest(t): "invalid reference format: \"\(t)\" has a malformed digest after @"
        case let .bareDigest(t): "invalid repository name (\(t)), cannot specify 64-byte hexadecimal strings"
        }
    }
}
