import HoistOCI

/// A repository on a concrete registry host, after registries.conf rewriting.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// `host[:port]` to connect to.
    public var host: String
    public var repository: String
    /// Plain HTTP (after trying HTTPS) and unverified TLS are allowed.
    public var insecure: Bool

    public init(host: String, repository: String, insecure: Bool) {
        self.host = host
        self.repository = repository
        self.insecure = insecure
    }

    public var description: String { repository.isEmpty ? host : "\(host)/\(repository)" }
}

/// Where a reference's bytes come from, in the order to try: mirrors first, then the location.
public struct EndpointResolver: Sendable {
    public let conf: RegistriesConf

    public init(conf: RegistriesConf) { self.conf = conf }

    /// Candidate endpoints for reading `reference`. `shortName` says the user gave no registry,
    /// so unqualified-search-registries apply.
    public func pullEndpoints(for reference: Reference, shortName: Bool) throws -> [Endpoint] {
        var names = [reference.name]
        let bareName = reference.path.hasPrefix("library/") ? String(reference.path.dropFirst(8)) : reference.path
        if shortName, let alias = conf.aliases[bareName] ?? conf.aliases[reference.path] {
            // An alias names the one place a short name means; search registries do not apply.
            names = [alias]
        } else if shortName, !conf.unqualifiedSearchRegistries.isEmpty {
            let bare = reference.path.hasPrefix("library/") ? String(reference.path.dropFirst(8)) : reference.path
            names = conf.unqualifiedSearchRegistries.map { registry in
                registry == Reference.dockerHub ? "\(registry)/\(reference.path)" : "\(registry)/\(bare)"
            }
        }
        var result: [Endpoint] = []
        for name in names {
            guard let entry = conf.registry(for: name) else {
                result.append(direct(name))
                continue
            }
            if entry.blocked { throw RegistryError.blocked(name: name, file: conf.source ?? "registries.conf") }
            let rest = String(name.dropFirst(entry.prefix.count))
            for mirror in entry.mirrors {
                result.append(split(mirror.location + rest, insecure: mirror.insecure || isLoopback(mirror.location)))
            }
            result.append(split(entry.location + rest, insecure: entry.insecure))
        }
        return result
    }

    /// The endpoint a push of `reference` goes to (mirrors are for reading only).
    public func pushEndpoint(for reference: Reference) throws -> Endpoint {
        guard let entry = conf.registry(for: reference.name) else { return direct(reference.name) }
        if entry.blocked { throw RegistryError.blocked(name: reference.name, file: conf.source ?? "registries.conf") }
        return split(entry.location + String(reference.name.dropFirst(entry.prefix.count)), insecure: entry.insecure)
    }

    private func direct(_ name: String) -> Endpoint {
        var e = split(name, insecure: false)
        e.insecure = conf.isInsecure(host: e.host)
        return e
    }

    private func split(_ name: String, insecure: Bool) -> Endpoint {
        let slash = name.firstIndex(of: "/") ?? name.endIndex
        var host = String(name[..<slash])
        if host == Reference.dockerHub { host = "registry-1.docker.io" }
        let repository = slash < name.endIndex ? String(name[name.index(after: slash)...]) : ""
        return Endpoint(host: host, repository: repository, insecure: insecure)
    }

    func isLoopback(_ location: String) -> Bool {
        let host = location.split(separator: "/").first.map(String.init) ?? location
        return Endpoint.isLoopback(host: host)
    }

    /// True when `text` names no registry, so that search registries apply (`busybox`, `user/app`).
    public static func isShortName(_ text: String) -> Bool {
        guard let slash = text.firstIndex(of: "/") else { return true }
        let first = text[..<slash]
        return !(first.contains(".") || first.contains(":") || first == "localhost")
    }
}

extension Endpoint {
    /// localhost, 127.0.0.0/8 and ::1: docker tries HTTPS first and falls back to HTTP for these.
    public static func isLoopback(host: String) -> Bool {
        var h = Substring(host)
        if h.hasPrefix("[") { h = h.dropFirst().prefix { $0 != "]" } }
        else if let colon = h.lastIndex(of: ":") { h = h[..<colon] }
        return h == "localhost" || h.hasPrefix("127.") || h == "::1"
    }
}
