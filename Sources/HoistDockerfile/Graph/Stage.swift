/// One `FROM … [AS name]` section of a Dockerfile.
public struct Stage: Sendable, Equatable {
    public var index: Int
    /// Lowercased stage name, if it has one.
    public var name: String?
    /// The FROM line's image, with global ARGs expanded: an image reference, an earlier
    /// stage's name, or `scratch`.
    public var base: String
    public var platform: String?
    public var from: LocatedInstruction
    public var instructions: [LocatedInstruction]

    /// How errors and progress name the stage: its name, else its index.
    public var displayName: String { name ?? "stage \(index)" }

    /// The stage's first RUN, if it has one: a stage without runs no command and needs no sandbox.
    public var firstRun: LocatedInstruction? {
        instructions.first { if case .run = $0.instruction { true } else { false } }
    }
}
