import HoistDockerfile
import HoistOCI

/// A stage as it is being assembled: the image config and the layers so far.
public struct StageState: Sendable {
    public var config: ImageConfig
    public var layers: [LayerRef]
    /// The ARGs declared by the stage's end. They are not in the config, but a stage built `FROM`
    /// this one starts with them, as BuildKit's LLB state carries ARGs as its environment; empty
    /// for images.
    public var args = DeclaredArgs()
    /// How many history entries and layers came with the base (FROM): what the stage itself added
    /// follows them, as provenance `mode=max` lists it.
    public var inheritedHistory = 0
    public var inheritedLayers = 0
    public var containerConfig: ContainerConfig {
        get { config.config ?? ContainerConfig() }
        set { config.config = newValue }
    }

    public var workingDirectory: String { containerConfig.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/" }
}
