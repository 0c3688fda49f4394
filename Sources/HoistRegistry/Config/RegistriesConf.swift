import Foundation
import HoistOCI

/// containers-registries.conf(5), version 2: where image names really live.
/// The same file podman, buildah and skopeo read, so one file serves Hoist and its peers.
public struct RegistriesConf: Sendable, Equatable {
    public struct Registry: Sendable, Equatable {
        public var prefix: String
        public var location: String
        public var insecure: Bool
        public var blocked: Bool
        public var mirrors: [Mirror]
    }

    public struct Mirror: Sendable, Equatable {
        public var location: String
        public var insecure: Bool
    }

    public var unqualifiedSearchRegistries: [String] = []
    /// `[aliases]`: short names that stand for a fully qualified repository (`"app" = "ghcr.io/org/app"`).
    public var aliases: [String: String] = [:]
    public var registries: [Registry] = []
    /// Where it was read from, for messages; nil when no file was found.
    public var source: String?

    public init() {}

    public init(parsing text: String, source: String) throws {
        self.source = source
        let root: [String: MiniTOML.Value]
        do { root = try MiniTOML.parse(text) } catch let e as MiniTOML.ParseError {
            throw RegistriesConfError.syntax(file: source, line: e.line, message: e.message)
        }
        if case let .array(list)? = root["unqualified-search-registries"] {
            unqualifiedSearchRegistries = list.compactMap { if case let .string(s) = $0 { s } else { nil } }
        }
        if case let .table(table)? = root["aliases"] {
            for (name, value) in table { if case let .string(target) = value { aliases[name] = target } }
        }
        if case let .tables(tables)? = root["registry"] {
            for t in tables {
                func string(_ k: String) -> String? { if case let .string(s)? = t[k] { s } else { nil } }
                func bool(_ k: String) -> Bool { if case let .bool(b)? = t[k] { b } else { false } }
                guard let location = string("location") ?? string("prefix") else {
                    throw RegistriesConfError.missingLocation(file: source)
                }
                var mirrors: [Mirror] = []
                if case let .tables(ms)? = t["mirror"] {
                    for m in ms {
                        guard case let .string(l)? = m["location"] else { continue }
                        var insecure = false
                        if case let .bool(b)? = m["insecure"] { insecure = b }
                        mirrors.append(Mirror(location: l, insecure: insecure))
                    }
                }
                registries.append(Registry(prefix: string("prefix") ?? location, location: location,
                                           insecure: bool("insecure"), blocked: bool("blocked"), mirrors: mirrors))
            }
        }
    }

    /// Finds the file as podman does, with Hoist's own override first:
    /// `--registries-conf`, `$HOIST_REGISTRIES_CONF`, `$CONTAINERS_REGISTRIES_CONF`,
    /// `~/.config/containers/registries.conf`, `/etc/containers/registries.conf`.
    public static func load(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RegistriesConf {
        var candidates: [(String, Bool)] = []
        if let explicitPath { candidates.append((explicitPath, true)) }
        for key in ["HOIST_REGISTRIES_CONF", "CONTAINERS_REGISTRIES_CONF"] {
            if let p = environment[key], !p.isEmpty { candidates.append((p, true)) }
        }
        if let home = environment["HOME"] { candidates.append((home + "/.config/containers/registries.conf", false)) }
        candidates.append(("/etc/containers/registries.conf", false))
        for (path, required) in candidates {
            if let data = FileManager.default.contents(atPath: path) {
                return try RegistriesConf(parsing: String(decoding: data, as: UTF8.self), source: path)
            }
            if required { throw RegistriesConfError.unreadable(file: path) }
        }
        return RegistriesConf()
    }

    /// The `[[registry]]` whose prefix matches `name` (`host/path`) longest, if any.
    public func registry(for name: String) -> Registry? {
        registries
            .filter { name == $0.prefix || name.hasPrefix($0.prefix + "/") }
            .max { $0.prefix.count < $1.prefix.count }
    }

    /// Whether `host` is marked insecure (by its own entry, or as a mirror).
    public func isInsecure(host: String) -> Bool {
        registries.contains { ($0.location == host || $0.location.hasPrefix(host + "/")) && $0.insecure }
            || registries.contains { $0.mirrors.contains { ($0.location == host || $0.location.hasPrefix(host + "/")) && $0.insecure } }
    }
}

public enum RegistriesConfError: Error, CustomStringConvertible {
    case syntax(file: String, line: Int, message: String)
    case missingLocation(file: String)
    case unreadable(file: String)

    public var description: String {
        switch self {
        case let .syntax(file, line, message): "\(file):\(line): \(message)"
        case let .missingLocation(file): "\(file): a [[registry]] has neither location nor prefix"
        case let .unreadable(file): "\(file): registries.conf cannot be read (check the path given by --registries-conf or the environment)"
        }
    }
}
