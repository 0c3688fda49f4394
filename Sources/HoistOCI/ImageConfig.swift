/// The image configuration blob, as in image-spec's config.md.
/// Times are kept as the RFC 3339 text they arrived as, so a config round-trips byte-stable.
public struct ImageConfig: Codable, Hashable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(platform: Platform) {
        architecture = platform.architecture
        os = platform.os
        variant = platform.variant
        rootfs = RootFS(diffIDs: [])
    }

    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }

    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String = "layers"
        public var diffIDs: [Digest]
        enum CodingKeys: String, CodingKey { case type, diffIDs = "diff_ids" }
        public init(diffIDs: [Digest]) { self.diffIDs = diffIDs }
    }

    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var author: String?
        public var comment: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
        public init(created: String?, createdBy: String, comment: String? = nil, emptyLayer: Bool? = nil) {
            self.created = created
            self.createdBy = createdBy
            self.comment = comment
            self.emptyLayer = emptyLayer
        }
    }
}

/// The `config` member of an image configuration: what a runtime uses to start the container.
public struct ContainerConfig: Codable, Hashable, Sendable {
    public var user: String?
    public var exposedPorts: [String: EmptyObject]?
    public var env: [String]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var volumes: [String: EmptyObject]?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var argsEscaped: Bool?
    public var onBuild: [String]?
    public var shell: [String]?
    public var healthcheck: HealthConfig?

    enum CodingKeys: String, CodingKey {
        case user = "User", exposedPorts = "ExposedPorts", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd"
        case volumes = "Volumes", workingDir = "WorkingDir", labels = "Labels", stopSignal = "StopSignal"
        case argsEscaped = "ArgsEscaped", onBuild = "OnBuild", shell = "Shell", healthcheck = "Healthcheck"
    }

    public init() {}

    /// The value of `name` in Env, if set.
    public func environment(_ name: String) -> String? {
        for entry in env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// BuildKit's PATH for a Linux stage whose base sets none (`system.DefaultPathEnv`).
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Sets `name=value` in Env, replacing an earlier value in place as docker does.
    public mutating func setEnvironment(_ name: String, _ value: String) {
        var list = env ?? []
        if let i = list.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) {
            list[i] = "\(name)=\(value)"
        } else {
            list.append("\(name)=\(value)")
        }
        env = list
    }
}

/// Docker's container health check; durations in nanoseconds.
public struct HealthConfig: Codable, Hashable, Sendable {
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?

    enum CodingKeys: String, CodingKey {
        case test = "Test", interval = "Interval", timeout = "Timeout", startPeriod = "StartPeriod"
        case startInterval = "StartInterval", retries = "Retries"
    }

    public init(test: [String]?) { self.test = test }
}

/// `{}` in JSON: the value type of ExposedPorts and Volumes maps.
public struct EmptyObject: Codable, Hashable, Sendable {
    public init() {}
    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws { _ = encoder.container(keyedBy: NoKeys.self) }
    private enum NoKeys: CodingKey {}
}
