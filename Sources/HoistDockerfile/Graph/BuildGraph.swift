/// The stages of a Dockerfile that a build of `target` needs, in the order they must be built.
/// Stages nothing needs are left out, so their base images are never resolved.
public struct BuildGraph: Sendable {
    public var stages: [Stage]
    /// Indexes into `stages` of the stages to build, dependencies first; the last is the target.
    public var order: [Int]
    /// Global ARGs (before the first FROM) with their values after `--build-arg`.
    public var globalArgs: [String: String]
    /// The escape character (`# escape=` directive), which word expansion honours too.
    public var escape: Character
    /// Automatic ARGs (TARGETPLATFORM, BUILDARCH, TARGETSTAGE, …): usable in FROM as they are,
    /// and inside a stage once it declares them with a bare `ARG NAME`.
    public var automaticArgs: [String: String]
    /// `--build-arg` names no ARG of the needed stages declares (BuildKit warns about them).
    public var unusedBuildArgs: [String]

    /// Build args every build accepts without an ARG: the proxy settings, which RUN sees.
    public static let predefinedArgs: Set<String> = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                                     "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "SOURCE_DATE_EPOCH"]

    public var target: Stage { stages[order.last!] }

    /// For each stage in `order`, the stages it uses (FROM, `COPY --from`, `RUN --mount from=`,
    /// its base's ONBUILD triggers): it can start once they are built. A `--from` that needs
    /// expanding (`--from=$STAGE`) might name any stage, so its stage waits for every stage
    /// before it in `order`.
    public var needs: [Int: [Int]]

    /// What a stage refers to with `FROM x` or `COPY --from=x`.
    public enum Source: Sendable, Equatable {
        case stage(Int)
        case image(String)
        case scratch
        /// A `--build-context` of this name, which replaces a stage or image of the same name.
        case named(String)
    }

    /// Names given with `--build-context`: FROM and `--from` of these read the context instead.
    public var namedContexts: Set<String>

    /// `automaticArgs` holds the platform ARGs the caller knows (TARGETPLATFORM, TARGETOS, TARGETARCH,
    /// TARGETVARIANT, BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT); TARGETSTAGE is added here.
    public init(_ dockerfile: Dockerfile, target: String? = nil, buildArgs: [String: String] = [:],
                automaticArgs: [String: String] = [:], namedContexts: Set<String> = []) throws {
        self.namedContexts = namedContexts
        var globals: [String: String] = [:]
        var automatic = automaticArgs
        var stages: [Stage] = []
        let escape: Character = dockerfile.directives["escape"].flatMap(\.first) ?? "\\"
        let words = ShellWords(escape: escape)
        for located in dockerfile.instructions {
            switch located.instruction {
            case let .from(from):
                let base: String
                let fromScope = automatic.merging(globals) { $1 }
                do { base = try words.expand(from.image, fromScope) } catch {
                    throw DockerfileError(located.location, "\(error)")
                }
                if base.isEmpty {
                    throw DockerfileError(located.location, "FROM \(from.image) expands to an empty image name; set the ARG it uses with --build-arg or give it a default")
                }
                var name: String?
                if let raw = from.stageName {
                    name = raw.lowercased()
                    guard BuildGraph.isValidStageName(name!) else {
                        throw DockerfileError(located.location, "invalid stage name \"\(raw)\": use letters, digits, '-', '_' and '.', starting with a letter")
                    }
                }
                let platform: String?
                do { platform = try from.platform.map { try words.expand($0, fromScope) } } catch {
                    throw DockerfileError(located.location, "FROM --platform: \(error)")
                }
                stages.append(Stage(index: stages.count, name: name, base: base, platform: platform, from: located, instructions: []))
            case let .arg(declarations) where stages.isEmpty:
                for d in declarations {
                    if let value = buildArgs[d.name] {
                        globals[d.name] = value
                    } else if let value = d.defaultValue {
                        do { globals[d.name] = try words.expand(value, automatic.merging(globals) { $1 }) } catch {
                            throw DockerfileError(located.location, "ARG \(d.name): \(error)")
                        }
                    } else if let value = automatic[d.name] {
                        globals[d.name] = value
                    }
                }
            default:
                guard !stages.isEmpty else {
                    throw DockerfileError(located.location, "\(located.original.split(separator: " ").first.map(String.init)?.uppercased() ?? "") comes before the first FROM; only ARG may come before FROM")
                }
                stages[stages.count - 1].instructions.append(located)
            }
        }
        guard !stages.isEmpty else {
            throw DockerfileError(SourceLocation(file: dockerfile.file, line: 1, column: 1), "the Dockerfile has no FROM instruction")
        }
        self.stages = stages
        self.escape = escape
        globalArgs = globals

        var targetIndex = stages.count - 1
        if let target {
            // A repeated name means its last stage, as BuildKit's statesByName keeps the last one.
            guard let found = stages.lastIndex(where: { $0.name == target.lowercased() }) else {
                let names = stages.compactMap(\.name)
                throw BuildGraphError.unknownTarget(target, available: names)
            }
            targetIndex = found
        }
        var order: [Int] = []
        var visiting: Set<Int> = []
        func visit(_ i: Int) throws {
            if order.contains(i) { return }
            visiting.insert(i)
            for dependency in try BuildGraph.dependencies(of: stages[i], in: stages, contexts: namedContexts) {
                guard !visiting.contains(dependency) else {
                    throw DockerfileError(stages[i].from.location, "stage \(stages[i].displayName) depends on itself through \(stages[dependency].displayName)")
                }
                try visit(dependency)
            }
            visiting.remove(i)
            order.append(i)
        }
        try visit(targetIndex)
        self.order = order
        var needs: [Int: [Int]] = [:]
        for (n, i) in order.enumerated() {
            let references = stages[i].instructions.flatMap(\.instruction.stageReferences)
            needs[i] = references.contains { $0.contains("$") }
                ? Array(order[..<n])
                : Array(Set(try BuildGraph.dependencies(of: stages[i], in: stages, contexts: namedContexts))).sorted()
        }
        self.needs = needs
        automatic["TARGETSTAGE"] = stages[targetIndex].name ?? "\(targetIndex)"
        self.automaticArgs = automatic
        var declared = Set(dockerfile.instructions.prefix { if case .from = $0.instruction { false } else { true } }.flatMap(\.declaredArgs))
        for i in order { declared.formUnion(stages[i].instructions.flatMap(\.declaredArgs)) }
        unusedBuildArgs = buildArgs.keys.filter { !declared.contains($0) && !BuildGraph.predefinedArgs.contains($0) }.sorted()
    }

    /// What `reference` (a FROM image or a `--from` value) names, as seen from stage `current`.
    /// `byIndex`: whether a number names a stage, as it does for `--from`; for FROM it does not
    /// (BuildKit reads `FROM 0` as the image `0`).
    public static func source(_ reference: String, from current: Int, in stages: [Stage], location: SourceLocation,
                              contexts: Set<String> = [], byIndex: Bool = true) throws -> Source {
        let lower = reference.lowercased()
        if contexts.contains(reference) || contexts.contains(lower) { return .named(reference) }
        if lower == "scratch" { return .scratch }
        // A name used twice (BuildKit warns: DuplicateStageName) means the last stage of that name above
        // this one, as BuildKit resolves FROM; a later one only when none is above (then refused below).
        if let i = stages[..<min(current, stages.count)].lastIndex(where: { $0.name == lower }) ?? stages.firstIndex(where: { $0.name == lower }) {
            guard i < current else {
                throw DockerfileError(location, i == current
                    ? "stage \"\(reference)\" refers to itself"
                    : "stage \"\(reference)\" is defined later in the file; a stage can only use stages above it")
            }
            return .stage(i)
        }
        if byIndex, let n = Int(reference), n >= 0 {
            guard n < current else {
                throw DockerfileError(location, "stage index \(n) is not an earlier stage (this is stage \(current); indexes start at 0)")
            }
            return .stage(n)
        }
        return .image(reference)
    }

    /// Stages `stage` needs: its base, its `COPY --from` and `RUN --mount from=` stages, and those
    /// named by the ONBUILD triggers of a base stage, which run in this stage right after FROM.
    static func dependencies(of stage: Stage, in stages: [Stage], contexts: Set<String>) throws -> [Int] {
        var result: [Int] = []
        var instructions = stage.instructions
        if case let .stage(i) = try source(stage.base, from: stage.index, in: stages, location: stage.from.location, contexts: contexts, byIndex: false) {
            result.append(i)
            for located in stages[i].instructions {
                if case let .onbuild(trigger) = located.instruction {
                    instructions.append(LocatedInstruction(instruction: trigger.instruction, location: located.location,
                                                           endLine: located.endLine, original: trigger.expression))
                }
            }
        }
        for located in instructions {
            for from in located.instruction.stageReferences {
                if case let .stage(i) = try source(from, from: stage.index, in: stages, location: located.location, contexts: contexts) {
                    result.append(i)
                }
            }
        }
        return result
    }

    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

public enum BuildGraphError: Error, CustomStringConvertible {
    case unknownTarget(String, available: [String])

    public var description: String {
        switch self {
        case let .unknownTarget(t, available):
            let close = available.min { BuildGraph.editDistance($0, t) < BuildGraph.editDistance($1, t) }
            let hint = close.map { BuildGraph.editDistance($0, t) <= 2 ? " (did you mean \"\($0)\"?)" : "" } ?? ""
            return "target stage \"\(t)\" could not be found\(hint); stages with names: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        }
    }
}

extension BuildGraph {
    /// Levenshtein distance, for did-you-mean hints.
    public static func editDistance(_ a: String, _ b: String) -> Int { HoistDockerfile.editDistance(a, b) }
}
