import HoistOCI

/// A stage as it is being assembled: the image config and the layers so far.
public struct StageState: Sendable {
    public var config: ImageConfig
    public var layers: [LayerRef]
    /// Build args declared in this stage (`ARG`), visible to expansion but not stored in the image.
    public var args: [String: String] = [:]

    public var containerConfig: ContainerConfig {
        get { config.config ?? ContainerConfig() }
        set { config.config = newValue }
    }

    /// Variables for expansion: the image's Env, overlaid by this stage's ARGs where Env lacks them,
    /// as BuildKit does (ENV wins over ARG).
    public var expansionEnvironment: [String: String] {
        var env = args
        for entry in containerConfig.env ?? [] {
            let kv = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            env[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return env
    }

    public var workingDirectory: String { containerConfig.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/" }
}
