/// What `--call=targets` lists: every stage of the Dockerfile, in file order, as BuildKit 0.25's
/// `dockerfile2llb.ListTargets` (frontend/subrequests/targets) gives them. Nothing is resolved:
/// the base and platform are as written, the description is the comment above the FROM that
/// starts with the stage's name, the last stage is the default.
public struct TargetList: Sendable, Equatable {
    public struct Target: Sendable, Equatable {
        /// The stage name, lowercased; nil for a stage without `AS name`.
        public var name: String?
        public var description: String?
        public var isDefault: Bool
        /// The FROM image as written (`${BASE}`, `busybox`, an earlier stage's name).
        public var base: String
        public var platform: String?
        public var location: SourceRange
    }

    public var targets: [Target]
    /// The Dockerfile's text, which BuildKit returns with the list.
    public var source: String

    public init(_ dockerfile: Dockerfile) {
        var targets: [Target] = []
        for (i, located) in dockerfile.instructions.enumerated() {
            guard case let .from(from) = located.instruction else { continue }
            let name = from.stageName?.lowercased()
            targets.append(Target(name: name, description: name.flatMap { dockerfile.tree.nodes[i].description(of: $0) }, isDefault: false,
                                  base: from.image, platform: from.platform, location: SourceRange(located)))
        }
        if !targets.isEmpty { targets[targets.count - 1].isDefault = true }
        self.targets = targets
        source = dockerfile.text
    }
}
