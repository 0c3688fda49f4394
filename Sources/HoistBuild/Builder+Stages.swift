import Foundation
import HoistDockerfile
import HoistLayers
import HoistOCI

/// What every stage of one platform's build shares.
struct StagePlan: Sendable {
    let graph: BuildGraph
    let sources: ImageSources
    let context: ContextSource
    let clock: BuildClock
    let cache: BuildCache
    /// Set in a multi-platform build, where progress names steps with their platform.
    let platform: Platform?
}

/// The stages of one platform as a graph: each starts as soon as the stages it uses are built.
extension Builder {
    /// Builds every stage of `plan.graph.order`; returns their states by stage index. At most
    /// `limits.jobs` stages run at once, started in build order. The first failure cancels the
    /// running stages (their sandboxes are killed and their mounts undone before this returns) and
    /// is the error thrown.
    func runStages(_ plan: StagePlan) async throws -> [Int: StageState] {
        let graph = plan.graph
        let width = limits.jobs
        var built: [Int: StageState] = [:]
        try await withThrowingTaskGroup(of: (Int, StageState).self) { group in
            var started: Set<Int> = []
            func startReady() {
                for i in graph.order where !started.contains(i) && started.count - built.count < width {
                    guard graph.needs[i, default: []].allSatisfy({ built[$0] != nil }) else { continue }
                    started.insert(i)
                    let ready = built
                    group.addTask { (i, try await buildStage(i, plan: plan, built: ready)) }
                }
            }
            startReady()
            do {
                while let (i, state) = try await group.next() {
                    built[i] = state
                    startReady()
                }
            } catch {
                group.cancelAll()
                throw error
            }
        }
        return built
    }

    private func buildStage(_ i: Int, plan: StagePlan, built: [Int: StageState]) async throws -> StageState {
        try Task.checkCancellation()
        let stage = plan.graph.stages[i]
        let base = try await baseState(of: stage, graph: plan.graph, built: built, sources: plan.sources)
        var executor = StageExecutor(graph: plan.graph, built: built, sources: plan.sources, store: store, context: plan.context,
                                     buildArgs: options.buildArgs, namedContexts: options.namedContexts, clock: plan.clock,
                                     compression: options.compression, snapshotter: snapshotter,
                                     cache: plan.cache, progress: progress, limits: limits,
                                     label: StageLabel(stage: stage, stageCount: plan.graph.stages.count, platform: plan.platform))
        // Only a push can leave cached layers where they are.
        executor.hitsNeedBytes = options.outputsNeedBytes
        executor.secrets = options.secrets
        executor.sshAgent = options.sshAgent
        executor.allowInsecure = options.allowInsecure
        executor.runDefaults = options.runDefaults
        var state = try await executor.run(stage, base: base, baseIsImage: baseIsImage(stage, plan.graph))
        state.inheritedHistory = base.config.history?.count ?? 0
        state.inheritedLayers = base.layers.count
        return state
    }

    /// Whether FROM names an image (or a named context), not `scratch` or a stage: BuildKit counts it as a step.
    private func baseIsImage(_ stage: Stage, _ graph: BuildGraph) -> Bool {
        switch baseSource(of: stage, in: graph) {
        case .image, .named: true
        default: false
        }
    }

    /// What the stage's FROM names; nil when it cannot be read (the stage reports that itself).
    private func baseSource(of stage: Stage, in graph: BuildGraph) -> BuildGraph.Source? {
        try? BuildGraph.source(stage.base, from: stage.index, in: graph.stages, location: stage.from.location,
                               contexts: Set(options.namedContexts.keys), byIndex: false)
    }

    /// Resolves every external FROM image of the build at once, unpacks the layers a RUN stage
    /// needs that are not unpacked yet (each as it downloads, its blob stored only when the outputs
    /// need it), and reads the top layer's index of every image a
    /// COPY --from copies out of (its first question is always asked there). Not when a cache is
    /// imported: its hits may need no base bytes at all. Failures are left for the stage itself to
    /// report, with its line.
    func prefetch(_ plan: StagePlan) async {
        let graph = plan.graph
        let snapshotter = self.snapshotter
        let fetchLayers = options.cacheFrom.isEmpty || options.noCache
        let progress = self.progress
        // One entry per image and platform; its layers are wanted when any stage on it runs a command.
        var bases: [String: (text: String, platform: Platform?, runs: Bool)] = [:]
        var firstSeen: [String] = []
        for i in graph.order {
            let stage = graph.stages[i]
            guard case .image = baseSource(of: stage, in: graph) else { continue }
            let platform = stage.platform.flatMap { try? Platform(parsing: $0) }
            let key = "\(stage.base) \(platform.map { "\($0)" } ?? "")"
            let runs = stage.firstRun != nil
            if bases[key] == nil { firstSeen.append(key) }
            bases[key] = (stage.base, platform, runs || bases[key]?.runs == true)
        }
        let copiedFrom = fetchLayers ? copySourceImages(graph) : []
        await withTaskGroup(of: Void.self) { group in
            for (text, platform) in copiedFrom {
                group.addTask {
                    guard let image = try? await plan.sources.image(text, platform: platform),
                          let state = try? ImageSources.state(of: image) else { return }
                    try? await plan.sources.view(over: state.layers, storeBlobs: true).readTopLayer()
                }
            }
            for key in firstSeen {
                let (text, platform, runs) = bases[key]!
                group.addTask {
                    guard let image = try? await plan.sources.image(text, platform: platform), runs, fetchLayers,
                          let state = try? ImageSources.state(of: image) else { return }
                    var missing: [LayerRef] = []
                    for layer in state.layers where await !snapshotter.exists(layer.diffID) {
                        missing.append(layer)
                    }
                    guard !missing.isEmpty else { return }
                    let vertex = progress.start(StageLabel.internal("load layers for \(image.reference)", platform: plan.platform))
                    try? await vertex.run {
                        // At once, each unpacked as it downloads: the registry client's transfer window bounds them.
                        try await withThrowingTaskGroup(of: Void.self) { layers in
                            for layer in missing { layers.addTask { _ = try await plan.sources.unpack(layer, into: snapshotter) } }
                            try await layers.waitForAll()
                        }
                    }
                }
            }
        }
    }

    /// The images COPY --from reads, with the platform to read them for: named directly
    /// (`--from=nginx`), or through a stage that is only `FROM image` (`FROM nginx AS conf`).
    /// A `--from` with a variable is left to its stage.
    private func copySourceImages(_ graph: BuildGraph) -> [(text: String, platform: Platform?)] {
        var seen: Set<String> = [], images: [(text: String, platform: Platform?)] = []
        for i in graph.order {
            let stage = graph.stages[i]
            for located in stage.instructions {
                guard case let .copy(copy) = located.instruction, let from = copy.from, !from.contains("$"),
                      let source = try? BuildGraph.source(from, from: stage.index, in: graph.stages, location: located.location,
                                                          contexts: Set(options.namedContexts.keys), byIndex: true) else { continue }
                let found: (String, Platform?)? = switch source {
                case let .image(text): (text, nil)
                case let .stage(j) where graph.stages[j].instructions.isEmpty:
                    if case .image = baseSource(of: graph.stages[j], in: graph) {
                        (graph.stages[j].base, graph.stages[j].platform.flatMap { try? Platform(parsing: $0) })
                    } else { nil }
                default: nil
                }
                if let (text, platform) = found, seen.insert("\(text) \(platform.map { "\($0)" } ?? "")").inserted {
                    images.append((text, platform))
                }
            }
        }
        return images
    }

    func baseState(of stage: Stage, graph: BuildGraph, built: [Int: StageState], sources: ImageSources) async throws -> StageState {
        let platform = try stage.platform.map { text -> Platform in
            do { return try Platform(parsing: text) } catch { throw BuildError.instruction(stage.from.location, StageError.platform(error)) }
        }
        let resolver = SourceResolver(graph: graph, sources: sources, namedContexts: options.namedContexts)
        do {
            switch try await resolver.resolve(stage.base, in: stage, built: built, use: .base(platform: platform), location: stage.from.location) {
            case let .state(state, _): return state
            case .directory: throw SourceError.directoryAsBase(stage.base)
            }
        } catch let error as SourceError {
            throw BuildError.instruction(stage.from.location, error)
        }
    }
}
