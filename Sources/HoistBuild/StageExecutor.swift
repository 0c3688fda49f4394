import Foundation
import HoistContent
import HoistDockerfile
import HoistLayers
import HoistOCI

/// Applies one stage's instructions to its state. Config instructions edit the config and history;
/// COPY writes one layer. Nothing here materialises a root filesystem.
struct StageExecutor {
    let graph: BuildGraph
    let built: [Int: StageState]
    let sources: ImageSources
    let store: ContentStore
    let context: ContextSource
    let buildArgs: [String: String]
    let clock: BuildClock
    let log: @Sendable (String) -> Void

    func run(_ stage: Stage, base: StageState) async throws -> StageState {
        var state = base
        state.args = [:]
        var cmdSetHere = false
        let words = ShellWords(escape: graph.escape)
        for located in stage.instructions {
            let location = located.location
            func expand(_ word: String) throws -> String {
                do { return try words.expand(word, state.expansionEnvironment) } catch {
                    throw BuildError.at(location, "\(error)")
                }
            }
            var emptyLayer = true
            switch located.instruction {
            case let .arg(declarations):
                for d in declarations {
                    if let value = buildArgs[d.name] {
                        state.args[d.name] = value
                    } else if let value = d.defaultValue {
                        state.args[d.name] = try expand(value)
                    } else if let value = graph.globalArgs[d.name] {
                        state.args[d.name] = value
                    }
                }
            case let .env(pairs):
                let expanded = try pairs.map { (try expand($0.key), try expand($0.value)) }
                for (key, value) in expanded { state.containerConfig.setEnvironment(key, value) }
            case let .label(pairs):
                var labels = state.containerConfig.labels ?? [:]
                for pair in pairs { labels[try expand(pair.key)] = try expand(pair.value) }
                state.containerConfig.labels = labels
            case let .workdir(raw):
                let path = try expand(raw)
                let absolute = path.hasPrefix("/") ? path : state.workingDirectory + "/" + path
                state.containerConfig.workingDir = "/" + TarHeader.normalize(absolute)
            case let .user(raw):
                state.containerConfig.user = try expand(raw)
            case let .expose(ports):
                var exposed = state.containerConfig.exposedPorts ?? [:]
                for port in ports {
                    let p = try expand(port).lowercased()
                    exposed[p.contains("/") ? p : p + "/tcp"] = EmptyObject()
                }
                state.containerConfig.exposedPorts = exposed
            case let .cmd(command):
                state.containerConfig.cmd = argv(command)
                cmdSetHere = true
            case let .entrypoint(command):
                state.containerConfig.entrypoint = argv(command)
                // As BuildKit: an ENTRYPOINT drops a CMD inherited from the base, but not one set in this stage.
                if !cmdSetHere { state.containerConfig.cmd = nil }
            case let .copy(copy):
                let layer = try await runCopy(copy, state: state, stage: stage, location: location)
                state.layers.append(layer)
                state.config.rootfs.diffIDs.append(layer.diffID)
                emptyLayer = false
            case .run:
                throw BuildError.at(location, "RUN is not supported yet by hoist (it builds stages without RUN only, for now)")
            case .from:
                break
            }
            var history = state.config.history ?? []
            history.append(ImageConfig.History(created: clock.created, createdBy: historyText(located),
                                               comment: "buildkit.dockerfile.v0", emptyLayer: emptyLayer ? true : nil))
            state.config.history = history
        }
        return state
    }

    private func argv(_ command: HoistDockerfile.CommandLine) -> [String] {
        switch command {
        case let .exec(list): list
        case let .shell(text): ["/bin/sh", "-c", text]
        }
    }

    /// `created_by` as BuildKit writes it.
    private func historyText(_ located: LocatedInstruction) -> String {
        switch located.instruction {
        case .copy: "\(located.original) # buildkit"
        case let .cmd(command): "CMD \(renderForHistory(command))"
        case let .entrypoint(command): "ENTRYPOINT \(renderForHistory(command))"
        default: located.original
        }
    }

    private func renderForHistory(_ command: HoistDockerfile.CommandLine) -> String {
        "[" + argv(command).map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }

    private func runCopy(_ copy: CopyInstruction, state: StageState, stage: Stage, location: SourceLocation) async throws -> LayerRef {
        let env = state.expansionEnvironment
        let words = ShellWords(escape: graph.escape)
        let rawSources: [String]
        let rawDestination: String
        do {
            rawSources = try copy.sources.map { try words.expand($0, env) }
            rawDestination = try words.expand(copy.destination, env)
        } catch { throw BuildError.at(location, "\(error)") }
        let hasWildcard = rawSources.contains { $0.contains(where: { "*?[".contains($0) }) }
        let destination = try CopyDestination(rawDestination, workingDirectory: state.workingDirectory,
                                              sourceCount: rawSources.count > 1 || hasWildcard ? 2 : 1, location: location)
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var matches: [CopyMatch] = []
        do {
            if let from = copy.from {
                let (view, name) = try await fromView(from, stage: stage, location: location)
                let source = ViewSource(view: view, staging: scratch, displayName: name)
                for s in rawSources { matches += try await source.match(s) }
                log("  COPY --from=\(from): read \(await view.layersRead) of \(view.layers.count) layers")
            } else {
                for s in rawSources {
                    let found = try context.match(s)
                    if found.isEmpty { throw ContextError.notFound(s) }
                    matches += found
                }
            }
        } catch let error as BuildError { throw error } catch {
            throw BuildError.at(location, "COPY: \(error)")
        }
        var owner: (uid: Int, gid: Int)?
        var mode: UInt32?
        do {
            if let chown = copy.chown {
                let view = sources.view(over: state.layers)
                owner = try await Ownership.resolve(try words.expand(chown, env), in: view, scratch: scratch)
            }
            if let chmod = copy.chmod { mode = try Ownership.mode(try words.expand(chmod, env)) }
        } catch { throw BuildError.at(location, "\(error)") }

        let entries = destination.entries(for: matches, owner: owner, mode: mode, createdTime: clock.createdDirectoryTime)
        let store = self.store
        let built = try await Blocking.run { try LayerBuilder.write(entries, into: store) }
        log("  \(located(location)) layer \(built.descriptor.digest.encoded.prefix(12)) (\(built.descriptor.size) bytes, \(entries.count) entries)")
        return LayerRef(descriptor: built.descriptor, diffID: built.diffID, source: .store)
    }

    private func located(_ location: SourceLocation) -> String { "line \(location.line):" }

    /// The view for `--from=X`: an earlier stage's layers, or an external image's.
    private func fromView(_ from: String, stage: Stage, location: SourceLocation) async throws -> (FilesystemView, String) {
        switch try BuildGraph.source(from, from: stage.index, in: graph.stages, location: location) {
        case let .stage(i):
            guard let state = built[i] else { throw BuildError.at(location, "stage \(graph.stages[i].displayName) was not built") }
            return (sources.view(over: state.layers), "stage \(graph.stages[i].displayName)")
        case .scratch:
            throw BuildError.at(location, "COPY --from=scratch copies nothing: scratch is empty")
        case let .image(reference):
            do {
                let image = try await sources.image(reference)
                return (sources.view(over: try ImageSources.state(of: image).layers), reference)
            } catch {
                // A bare word is most likely a stage name with a typo; say so before the registry's answer.
                guard !reference.contains(where: { "/:.@".contains($0) }) else { throw error }
                let names = graph.stages.prefix(stage.index).compactMap(\.name)
                let close = names.filter { BuildGraph.editDistance($0, reference.lowercased()) <= 2 }.first
                throw BuildError.at(location, "--from=\(reference): no earlier stage is named \"\(reference)\"\(close.map { " (did you mean \"\($0)\"?)" } ?? "")"
                    + " (stages: \(names.isEmpty ? "none named" : names.joined(separator: ", "))), and as an image: \(error)")
            }
        }
    }

    private func makeScratch() throws -> String {
        let dir = store.root.appendingPathComponent("ingest/copy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
