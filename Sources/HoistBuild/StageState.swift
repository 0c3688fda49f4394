import HoistOCI

/// A stage as it is being assembled: the image config and the layers so far.
public struct StageState: Sendable {
    public var config: ImageConfig
    public var layers: [LayerRef]
    public var containerConfig: ContainerConfig {
        get { config.config ?? ContainerConfig() }
        set { config.config = newValue }
    }

    public var workingDirectory: String { containerConfig.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/" }
}
