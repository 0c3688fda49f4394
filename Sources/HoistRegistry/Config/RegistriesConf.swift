import Foundation
import HoistOCI
import TOMLKit

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

    /// Reads a registries.conf: version 2 (`unqualified-search-registries`, `[[registry]]` with
    /// `[[registry.mirror]]` or inline-table mirrors, `[aliases]`), or version 1 (`[registries.search]`,
    /// `[registries.insecure]`, `[registries.block]`, each with `registries = [...]`), parsed by TOMLKit.
    /// Throws `RegistriesConfError` naming the file and line for bad TOML, and the key for a value
    /// of the wrong type or a file that mixes the two versions; other keys are ignored, as podman does.
    public init(parsing text: String, source: String) throws {
        self.source = source
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw RegistriesConfError.syntax(file: source, line: error.source.begin.line, message: error.description)
        }
        let values = ConfValues(file: source)
        // As containers/image: the version 1 tables count only when one of their lists has entries.
        if let v1 = root["registries"] {
            var version1 = RegistriesConf()
            try version1.readVersion1(try values.table(v1, "registries"), values)
            if !version1.unqualifiedSearchRegistries.isEmpty || !version1.registries.isEmpty {
                let v2 = ["unqualified-search-registries", "registry", "aliases"].filter { root.contains(key: $0) }
                guard v2.isEmpty else { throw RegistriesConfError.mixedVersions(file: source, v2Keys: v2) }
                unqualifiedSearchRegistries = version1.unqualifiedSearchRegistries
                registries = version1.registries
                return
            }
        }
        unqualifiedSearchRegistries = try values.strings(root["unqualified-search-registries"], "unqualified-search-registries")
        if let table = root["aliases"] {
            let aliasTable = try values.table(table, "aliases")
            for name in aliasTable.keys { aliases[name] = try values.string(aliasTable[name], "aliases.\(name)") }
        }
        for (n, entry) in try values.tables(root["registry"], "registry").enumerated() {
            let key = "registry[\(n)]"
            let prefix = try values.string(entry["prefix"], key + ".prefix")
            guard let location = try values.string(entry["location"], key + ".location") ?? prefix else {
                throw RegistriesConfError.missingLocation(file: source)
            }
            let mirrors = try values.tables(entry["mirror"], key + ".mirror").enumerated().compactMap { m, mirror -> Mirror? in
                guard let where_ = try values.string(mirror["location"], key + ".mirror[\(m)].location") else { return nil }
                return Mirror(location: where_, insecure: try values.bool(mirror["insecure"], key + ".mirror[\(m)].insecure"))
            }
            registries.append(Registry(prefix: prefix ?? location, location: location, insecure: try values.bool(entry["insecure"], key + ".insecure"),
                                       blocked: try values.bool(entry["blocked"], key + ".blocked"), mirrors: mirrors))
        }
    }

    /// Version 1: search registries, and hosts that are insecure or blocked, each a `[[registry]]`.
    private mutating func readVersion1(_ table: TOMLTable, _ values: ConfValues) throws {
        func list(_ section: String) throws -> [String] {
            guard let value = table[section] else { return [] }
            return try values.strings(try values.table(value, "registries.\(section)")["registries"], "registries.\(section).registries")
        }
        unqualifiedSearchRegistries = try list("search")
        var hosts: [String: Registry] = [:]
        var order: [String] = []
        for (section, isInsecure) in [("insecure", true), ("block", false)] {
            for host in try list(section) {
                if hosts[host] == nil { order.append(host) }
                var entry = hosts[host] ?? Registry(prefix: host, location: host, insecure: false, blocked: false, mirrors: [])
                if isInsecure { entry.insecure = true } else { entry.blocked = true }
                hosts[host] = entry
            }
        }
        registries = order.compactMap { hosts[$0] }
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
    case wrongType(file: String, key: String, expected: String)
    case mixedVersions(file: String, v2Keys: [String])

    public var description: String {
        switch self {
        case let .syntax(file, line, message): "\(file):\(line): \(message)"
        case let .missingLocation(file): "\(file): a [[registry]] has neither location nor prefix"
        case let .unreadable(file): "\(file): registries.conf cannot be read (check the path given by --registries-conf or the environment)"
        case let .wrongType(file, key, expected): "\(file): \(key) must be \(expected)"
        case let .mixedVersions(file, keys): "\(file): [registries.*] is the version 1 format and \(keys.joined(separator: ", ")) version 2; "
            + "use one: version 2 has unqualified-search-registries = [...] and [[registry]] tables with location, insecure, blocked and mirrors"
        }
    }
}

/// Typed reads of registries.conf values, each naming its key when the type is wrong.
private struct ConfValues {
    let file: String

    func string(_ value: TOMLValueConvertible?, _ key: String) throws -> String? {
        guard let value else { return nil }
        guard let text = value.string else { throw RegistriesConfError.wrongType(file: file, key: key, expected: "a string") }
        return text
    }

    func bool(_ value: TOMLValueConvertible?, _ key: String) throws -> Bool {
        guard let value else { return false }
        guard let flag = value.bool else { throw RegistriesConfError.wrongType(file: file, key: key, expected: "true or false") }
        return flag
    }

    func strings(_ value: TOMLValueConvertible?, _ key: String) throws -> [String] {
        try array(value, key, of: "strings") { $0.string }
    }

    func table(_ value: TOMLValueConvertible, _ key: String) throws -> TOMLTable {
        guard let table = value.table else { throw RegistriesConfError.wrongType(file: file, key: key, expected: "a table") }
        return table
    }

    /// An array of tables: `[[key]]` headers or an inline `key = [{...}, {...}]`.
    func tables(_ value: TOMLValueConvertible?, _ key: String) throws -> [TOMLTable] {
        try array(value, key, of: "tables") { $0.table }
    }

    /// An array whose every element `element` reads; absent is empty.
    private func array<T>(_ value: TOMLValueConvertible?, _ key: String, of kind: String, _ element: (TOMLValueConvertible) -> T?) throws -> [T] {
        guard let value else { return [] }
        let wrong = RegistriesConfError.wrongType(file: file, key: key, expected: "an array of \(kind)")
        guard let array = value.array else { throw wrong }
        return try array.map { item in
            guard let read = element(item) else { throw wrong }
            return read
        }
    }
}
