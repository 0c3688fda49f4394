import Foundation
import HoistContent
import HoistDockerfile
import HoistLayers
import HoistOCI
import HoistSandbox

/// Applies one stage's instructions to its state. The loop here expands the words each instruction
/// declares (`Instruction.expandingWords`), hands it to its concern — config instructions
/// (StageExecutor+Config), COPY/ADD/WORKDIR layers (StageExecutor+Copy), RUN (StageExecutor+Run) —
/// records history, and puts the instruction's location in front of any error, once.
struct StageExecutor {
    let graph: BuildGraph
    let built: [Int: StageState]
    let sources: ImageSources
    let store: ContentStore
    let context: ContextSource
    let buildArgs: [String: String]
    let namedContexts: [String: NamedContext]
    let clock: BuildClock
    let compression: LayerCompression
    let snapshotter: Snapshotter
    /// `--secret`, `--ssh default=…`, `--allow security.insecure`: what RUN may be given.
    var secrets: [String: SecretSource] = [:]
    var sshAgent: String?
    var allowInsecure = false
    /// Step results from earlier builds and imported caches, and what this build adds to them.
    let cache: BuildCache
    /// The build's outputs need every layer's bytes (not only a push): a cache hit is fetched and
    /// verified when found, so a bad one is refused and the step runs.
    var hitsNeedBytes = false
    /// Where steps are shown (one vertex per ADD, COPY, RUN and WORKDIR, named by `label`).
    let progress: BuildProgress
    /// Sandboxes and CPU-bound layer work are bounded across stages running at once.
    let limits: BuildLimits
    let label: StageLabel
    /// `--network`, `--add-host`, `--ulimit`, `--shm-size`.
    var runDefaults = RunDefaults()

    /// A note under the step being run.
    func log(_ text: String) { progress.log(text) }

    /// What `--from=` and `from=` name, resolved in one place.
    var resolver: SourceResolver { SourceResolver(graph: graph, sources: sources, namedContexts: namedContexts) }

    /// Which step an instruction is, for the cache: `stage NAME, step N (KEYWORD)`, and whether a
    /// RUN follows it in the stage (which will need its layer's bytes).
    struct Step {
        var id: String
        /// The Dockerfile line, for the log.
        var line: Int
        var runFollows: Bool
    }

    /// What one instruction did to the stage: its history text (nil keeps the instruction's own
    /// text) and whether it made a layer; `recorded: false` for ONBUILD, which has no history entry.
    struct Outcome {
        var createdBy: String?
        var layer: LayerRef?
        var recorded = true
    }

    /// Runs the stage's instructions on `base`. `baseIsImage`: FROM names an image, which BuildKit
    /// shows as the stage's first step.
    func run(_ stage: Stage, base: StageState, baseIsImage: Bool) async throws -> StageState {
        var state = base
        // As BuildKit: a stage whose base sets no PATH (scratch, or an image without it) gets the default one in its config.
        if !(state.containerConfig.env ?? []).contains(where: { $0.hasPrefix("PATH=") }) {
            state.containerConfig.env = (state.containerConfig.env ?? []) + ["PATH=" + ContainerConfig.defaultPath]
        }
        var variables = StageVariables(imageEnv: state.containerConfig.env ?? [], buildArgs: buildArgs,
                                       globalArgs: graph.globalArgs, automaticArgs: graph.automaticArgs, inherited: base.args)
        var cmdSetHere = false
        // ONBUILD triggers of the base run first, once: the new image does not inherit them.
        let triggers = state.containerConfig.onBuild ?? []
        state.containerConfig.onBuild = nil
        let located = try triggers.map { expression in
            do { return try trigger(expression) } catch { throw BuildError.instruction(stage.from.location, error) }
        }
        let all = located.map { ($0, stage.from.location, "ONBUILD ") } + stage.instructions.map { ($0, $0.location, "") }
        let total = (baseIsImage ? 1 : 0) + all.filter { StageLabel.counts($0.0.instruction) }.count
        var shown = 0
        if baseIsImage {
            shown += 1
            progress.start(label.step(shown, of: total, "FROM \(stage.base)")).done()
        }
        for (n, (instruction, location, prefix)) in all.enumerated() {
            try Task.checkCancellation()
            let step = Step(id: "stage \(stage.displayName), step \(n + 1) (\(prefix)\(instruction.instruction.keyword))", line: location.line,
                            runFollows: all[(n + 1)...].contains { if case .run = $0.0.instruction { true } else { false } })
            guard StageLabel.counts(instruction.instruction) else {
                try await apply(instruction, at: location, step: step, stage: stage, to: &state, variables: &variables, cmdSetHere: &cmdSetHere)
                continue
            }
            shown += 1
            let vertex = progress.start(label.step(shown, of: total, prefix + StageExecutor.shownText(instruction)))
            try await vertex.run {
                try await apply(instruction, at: location, step: step, stage: stage, to: &state, variables: &variables, cmdSetHere: &cmdSetHere)
            }
        }
        state.args = variables.declared
        return state
    }

    /// The instruction as progress shows it: as written, continuation lines joined, the keyword in capitals.
    static func shownText(_ located: LocatedInstruction) -> String {
        let text = located.original.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasSuffix("\\") ? String($0.dropLast()).trimmingCharacters(in: .whitespaces) : $0 }.joined(separator: " ")
        let keyword = text.prefix { !$0.isWhitespace }
        return keyword.uppercased() + text.dropFirst(keyword.count)
    }

    /// Parses a stored ONBUILD trigger as the one instruction of a Dockerfile.
    private func trigger(_ expression: String) throws -> LocatedInstruction {
        let parsed: Dockerfile
        do { parsed = try Dockerfile(parsing: expression, file: "ONBUILD trigger") } catch { throw StageError.badOnbuild(expression: expression, error) }
        if case .onbuild = parsed.instructions[0].instruction { throw StageError.nestedOnbuild(expression: expression) }
        return parsed.instructions[0]
    }

    private func apply(_ located: LocatedInstruction, at location: SourceLocation, step: Step, stage: Stage, to state: inout StageState,
                       variables: inout StageVariables, cmdSetHere: inout Bool) async throws {
        let outcome: Outcome
        do {
            let words = ShellWords(escape: graph.escape)
            let environment = variables.expansionEnvironment
            let instruction = try located.instruction.expandingWords { try words.expand($0, environment) }
            outcome = try await perform(instruction, located: located, step: step, stage: stage, state: &state, variables: &variables,
                                        cmdSetHere: &cmdSetHere, location: location)
        } catch let error as BuildError where error.isLocated {
            throw error
        } catch let error as DockerfileError {
            throw error
        } catch {
            throw BuildError.instruction(location, error)
        }
        if let layer = outcome.layer {
            state.layers.append(layer)
            state.config.rootfs.diffIDs.append(layer.diffID)
        }
        guard outcome.recorded else { return }
        var history = state.config.history ?? []
        history.append(ImageConfig.History(created: clock.created, createdBy: outcome.createdBy ?? historyText(located, state),
                                           comment: "buildkit.dockerfile.v0", emptyLayer: outcome.layer == nil ? true : nil))
        state.config.history = history
    }

    /// One instruction, its words already expanded, handed to its concern.
    private func perform(_ instruction: Instruction, located: LocatedInstruction, step: Step, stage: Stage, state: inout StageState,
                         variables: inout StageVariables, cmdSetHere: inout Bool, location: SourceLocation) async throws -> Outcome {
        switch instruction {
        case let .copy(copy):
            let (layer, text) = try await runCopy(copy.spec, keyword: "COPY", from: copy.from, parents: copy.parents, step: step, state: state, stage: stage,
                                                  environment: variables.expansionEnvironment, location: location)
            return Outcome(createdBy: text, layer: layer)
        case let .add(add):
            let (layer, text) = try await runCopy(add.spec, keyword: "ADD", step: step, state: state, stage: stage,
                                                  environment: variables.expansionEnvironment, location: location, add: add)
            return Outcome(createdBy: text, layer: layer)
        case let .workdir(path):
            return try await workdir(path, step: step, state: &state)
        case let .run(run):
            let (layer, text) = try await runStep(run, step: step, stage: stage, state: state, variables: variables, location: location)
            return Outcome(createdBy: text, layer: layer)
        default:
            return try configure(instruction, state: &state, variables: &variables, cmdSetHere: &cmdSetHere)
        }
    }

    func writeLayer(_ entries: [LayerEntry]) async throws -> BuiltLayer {
        try await limits.writeLayer(entries, into: store, compression: compression)
    }

    func makeScratch() throws -> String { try store.scratchDirectory("copy") }
}
