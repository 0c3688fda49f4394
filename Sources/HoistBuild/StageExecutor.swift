import Foundation
import HoistContent
import HoistDockerfile
import HoistLayers
import HoistOCI
import HoistSandbox

/// Applies one stage's instructions to its state. Config instructions edit the config and history;
/// COPY, ADD and WORKDIR write one layer each from the stage's layers, without a root filesystem;
/// RUN (StageExecutor+Run) is the only instruction that mounts one.
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
    /// RUN layers from earlier builds, and `--no-cache` to run every command again.
    let runCache: RunCache
    var noCache = false
    /// The stage has a RUN: its layers will be in the store and unpacked, so COPY reads them from there.
    var runsCommands = false
    let log: @Sendable (String) -> Void

    func run(_ stage: Stage, base: StageState) async throws -> StageState {
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
        for expression in triggers {
            let located = try trigger(expression, at: stage.from.location)
            try await apply(located, stage: stage, to: &state, variables: &variables, cmdSetHere: &cmdSetHere)
        }
        for located in stage.instructions {
            try await apply(located, stage: stage, to: &state, variables: &variables, cmdSetHere: &cmdSetHere)
        }
        state.args = variables.declared
        return state
    }

    /// Parses a stored ONBUILD trigger as the one instruction of a Dockerfile.
    private func trigger(_ expression: String, at location: SourceLocation) throws -> LocatedInstruction {
        do {
            let parsed = try Dockerfile(parsing: expression, file: "ONBUILD trigger")
            var located = parsed.instructions[0]
            located.location = location
            if case .onbuild = located.instruction { throw BuildError.at(location, "ONBUILD trigger \"\(expression)\" is itself an ONBUILD") }
            return located
        } catch let error as BuildError { throw error } catch {
            throw BuildError.at(location, "the base image's ONBUILD trigger \"\(expression)\" is not valid: \(error)")
        }
    }

    private func apply(_ located: LocatedInstruction, stage: Stage, to state: inout StageState,
                       variables: inout StageVariables, cmdSetHere: inout Bool) async throws {
        let words = ShellWords(escape: graph.escape)
        let location = located.location
        let environment = variables.expansionEnvironment
        func expand(_ word: String) throws -> String {
            do { return try words.expand(word, environment) } catch {
                throw BuildError.at(location, "\(error)")
            }
        }
        var emptyLayer = true
        // BuildKit's created_by; nil keeps the instruction's text, and ONBUILD records no history.
        var createdBy: String?
        var recorded = true
        switch located.instruction {
        case let .arg(declarations):
            var recordedPairs: [String] = []
            for d in declarations {
                do {
                    let value = try variables.declare(d, words: words)
                    recordedPairs.append(d.name + (value.map { "=" + $0 } ?? ""))
                } catch { throw BuildError.at(location, "ARG \(d.name): \(error)") }
            }
            // BuildKit 0.25 records the value each ARG took (a build arg's, the expanded default or the global one).
            createdBy = "ARG " + recordedPairs.joined(separator: " ")
        case let .env(pairs):
            let expanded = try pairs.map { (try expand($0.key), try expand($0.value)) }
            for (key, value) in expanded {
                state.containerConfig.setEnvironment(key, value)
                variables.setEnv(key, value)
            }
            createdBy = HistoryText.pairs("ENV", expanded)
        case let .label(pairs):
            var labels = state.containerConfig.labels ?? [:]
            let expanded = try pairs.map { (try expand($0.key), try expand($0.value)) }
            for (key, value) in expanded { labels[key] = value }
            state.containerConfig.labels = labels
            createdBy = HistoryText.pairs("LABEL", expanded)
        case let .workdir(raw):
            let path = try expand(raw)
            // As BuildKit 0.25 (system.NormalizeWorkdir): an absolute path is kept as written (`/root/`),
            // a relative one is joined to the previous WORKDIR and cleaned, an empty one keeps it.
            let directory = path.isEmpty ? state.workingDirectory
                : path.hasPrefix("/") ? path : "/" + TarHeader.normalize(state.workingDirectory + "/" + path)
            state.containerConfig.workingDir = directory
            createdBy = "WORKDIR \(directory)"
            // As BuildKit: every WORKDIR but `/` is a layer that makes the directory if the stage lacks it.
            if directory != "/" {
                let layer = try await makeWorkingDirectory(directory, state: state, location: location)
                state.layers.append(layer)
                state.config.rootfs.diffIDs.append(layer.diffID)
                emptyLayer = false
            }
        case let .user(raw):
            state.containerConfig.user = try expand(raw)
            createdBy = "USER \(state.containerConfig.user ?? "")"
        case let .expose(ports):
            var exposed = state.containerConfig.exposedPorts ?? [:]
            let normalized: [String]
            do { normalized = try ports.flatMap { try ExposedPorts.ports(try expand($0)) } } catch let error as ExposedPortsError {
                throw BuildError.at(location, "\(error)")
            }
            for port in normalized { exposed[port] = EmptyObject() }
            state.containerConfig.exposedPorts = exposed
            createdBy = HistoryText.expose(normalized)
        case let .cmd(command):
            state.containerConfig.cmd = argv(command, state)
            cmdSetHere = true
        case let .entrypoint(command):
            state.containerConfig.entrypoint = argv(command, state)
            // As BuildKit: an ENTRYPOINT drops a CMD inherited from the base, but not one set in this stage.
            if !cmdSetHere { state.containerConfig.cmd = nil }
        case let .copy(copy):
            let (layer, text) = try await runCopy(copy, keyword: "COPY", state: state, environment: environment, stage: stage, location: location)
            createdBy = text
            state.layers.append(layer)
            state.config.rootfs.diffIDs.append(layer.diffID)
            emptyLayer = false
        case let .maintainer(name):
            state.config.author = name
        case let .volume(paths):
            var volumes = state.containerConfig.volumes ?? [:]
            let expanded = try paths.map { try expand($0) }
            for path in expanded { volumes[path] = EmptyObject() }
            state.containerConfig.volumes = volumes
            createdBy = HistoryText.volume(expanded)
        case let .stopSignal(signal):
            state.containerConfig.stopSignal = try expand(signal)
            createdBy = "STOPSIGNAL \(state.containerConfig.stopSignal ?? "")"
        case let .shell(shell):
            state.containerConfig.shell = shell
            createdBy = "SHELL [" + shell.joined(separator: " ") + "]"
        case let .healthcheck(check):
            let config = healthConfig(check)
            state.containerConfig.healthcheck = config
            createdBy = HistoryText.healthcheck(config)
        case let .onbuild(trigger):
            state.containerConfig.onBuild = (state.containerConfig.onBuild ?? []) + [trigger.expression]
            recorded = false
        case let .add(add):
            var copy = CopyInstruction(sources: add.sources, destination: add.destination, chown: add.chown, chmod: add.chmod)
            copy.link = add.link
            copy.excludes = add.excludes
            copy.heredocs = add.heredocs
            let (layer, text) = try await runCopy(copy, keyword: "ADD", state: state, environment: environment, stage: stage, location: location,
                                                  add: add)
            createdBy = text
            state.layers.append(layer)
            state.config.rootfs.diffIDs.append(layer.diffID)
            emptyLayer = false
        case let .run(run):
            let (layer, text) = try await runStep(run, stage: stage, state: state, variables: variables, location: location)
            createdBy = text
            state.layers.append(layer)
            state.config.rootfs.diffIDs.append(layer.diffID)
            emptyLayer = false
        case .from:
            break
        }
        guard recorded else { return }
        var history = state.config.history ?? []
        history.append(ImageConfig.History(created: clock.created, createdBy: createdBy ?? historyText(located, state),
                                           comment: "buildkit.dockerfile.v0", emptyLayer: emptyLayer ? true : nil))
        state.config.history = history
    }

    /// Exec form as is; shell form wrapped in the stage's SHELL (default `/bin/sh -c`).
    func argv(_ command: HoistDockerfile.CommandLine, _ state: StageState) -> [String] {
        switch command {
        case let .exec(list): list
        case let .shell(text): (state.containerConfig.shell ?? ["/bin/sh", "-c"]) + [text]
        }
    }

    private func healthConfig(_ check: Healthcheck) -> HealthConfig {
        switch check {
        case .none:
            return HealthConfig(test: ["NONE"])
        case let .check(test, options):
            var config = HealthConfig(test: test)
            config.interval = options.interval
            config.timeout = options.timeout
            config.startPeriod = options.startPeriod
            config.startInterval = options.startInterval
            config.retries = options.retries
            return config
        }
    }

    /// `created_by` as BuildKit writes it.
    private func historyText(_ located: LocatedInstruction, _ state: StageState) -> String {
        func rendered(_ argv: [String]?) -> String { "[" + (argv ?? []).map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        switch located.instruction {
        case .cmd: return "CMD \(rendered(state.containerConfig.cmd))"
        case .entrypoint: return "ENTRYPOINT \(rendered(state.containerConfig.entrypoint))"
        default: return located.original
        }
    }

    /// COPY, and ADD (`add`): local tar archives unpacked, URLs downloaded, git repositories cloned.
    private func runCopy(_ copy: CopyInstruction, keyword: String, state: StageState, environment env: [String: String], stage: Stage,
                         location: SourceLocation, add: AddInstruction? = nil) async throws -> (LayerRef, String) {
        let words = ShellWords(escape: graph.escape)
        // `COPY <<EOF /dest`: a source word naming one of the instruction's heredocs is inline content.
        let inline = copy.sources.compactMap { word in Heredoc.name(ofMarker: word).flatMap { name in copy.heredocs.first { $0.name == name } } }
        let fileSources = copy.sources.filter { word in !inline.contains { $0.name == Heredoc.name(ofMarker: word) } }
        let rawSources: [String]
        let rawDestination: String
        do {
            rawSources = try fileSources.map { try words.expand($0, env) }
            rawDestination = try words.expand(copy.destination, env)
        } catch { throw BuildError.at(location, "\(error)") }
        let remoteSources: [String: RemoteSource]
        do {
            remoteSources = add == nil ? [:] : try rawSources.reduce(into: [:]) { found, word in found[word] = try RemoteSource(word) }
        } catch { throw BuildError.at(location, "\(error)") }
        if add?.checksum != nil, remoteSources.isEmpty {
            throw BuildError.at(location, "ADD --checksum applies to URLs only")
        }
        var destination = CopyDestination(rawDestination, workingDirectory: state.workingDirectory)
        try CopyDestination.requireDirectory(rawDestination, isDirectory: destination.isDirectory, sources: rawSources.count + inline.count, location: location)
        let stageView = sources.view(over: state.layers, storeBlobs: runsCommands)
        if copy.link {
            destination.resolveLinked()
        } else {
            do { try await destination.resolve(in: stageView) } catch { throw BuildError.at(location, "\(keyword) \(rawDestination): \(error)") }
        }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var matches: [CopyMatch] = []
        for (n, heredoc) in inline.enumerated() {
            let path = scratch + "/heredoc-\(n)"
            let body: String
            do { body = try heredoc.body(environment: env) } catch { throw BuildError.at(location, "<<\(heredoc.name): \(error)") }
            guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)) else { throw BuildError.at(location, "cannot stage heredoc \(heredoc.name)") }
            matches.append(CopyMatch(name: heredoc.name, isDirectory: false, items: [
                CopyItem(relative: "", kind: .file(body: path, size: Int64(body.utf8.count)), mode: 0o644, uid: 0, gid: 0, mtime: clock.createdDirectoryTime),
            ]))
        }
        do {
            if let from = copy.from, case let .directory(path)? = namedContext(from, stage: stage, location: location) {
                let directory = try ContextSource(directory: path)
                for s in rawSources { matches += try directory.match(s) }
            } else if let from = copy.from {
                let (view, name) = try await fromView(from, stage: stage, location: location)
                let source = ViewSource(view: view, staging: scratch, displayName: name)
                for s in rawSources { matches += try await source.match(s) }
                log("  COPY --from=\(from): read \(await view.layersRead) of \(view.layers.count) layers")
            } else {
                for s in rawSources {
                    if let add, let remote = remoteSources[s] {
                        matches.append(try await remote.fetch(into: scratch, checksum: try add.checksum.map { try words.expand($0, env) },
                                                              keepGitDir: add.keepGitDir, fallbackTime: clock.createdDirectoryTime))
                        continue
                    }
                    // A wildcard that matches nothing copies nothing, as in BuildKit; a missing plain path fails in match.
                    matches += try context.match(s)
                }
            }
        } catch let error as BuildError { throw error } catch let error as RemoteSourceError {
            throw BuildError.at(location, "\(error)")
        } catch {
            throw BuildError.at(location, "\(keyword): \(error)")
        }
        try CopyDestination.requireDirectory(rawDestination, isDirectory: destination.isDirectory, sources: matches.count, location: location)
        if let add {
            // ADD unpacks local archives by default and downloads only with --unpack=true.
            matches = matches.map { match in
                guard add.unpack ?? !match.isRemote, !match.isDirectory, case let .file(body, _)? = match.items.first?.kind,
                      let items = ArchiveExpander.items(of: body, staging: scratch, directoryTime: clock.createdDirectoryTime) else { return match }
                return CopyMatch(name: match.name, sourcePath: match.sourcePath, isDirectory: true, items: items)
            }
        }
        var owner: (uid: Int, gid: Int)?
        var mode: ModeChange?
        do {
            if let chown = copy.chown {
                owner = try await Ownership.resolve(try words.expand(chown, env), in: stageView, scratch: scratch)
            }
            if let chmod = copy.chmod { mode = try Ownership.mode(try words.expand(chmod, env)) }
        } catch { throw BuildError.at(location, "\(error)") }

        if !copy.excludes.isEmpty {
            // --exclude: patterns (as in .dockerignore) against each path below its source; a file source by its name.
            let patterns: [String]
            do { patterns = try copy.excludes.map { try words.expand($0, env) } } catch { throw BuildError.at(location, "--exclude: \(error)") }
            let excluded = DockerIgnore(parsing: patterns.joined(separator: "\n"))
            matches = matches.compactMap { match in
                if !match.isDirectory { return excluded.excludes(match.name) ? nil : match }
                var kept = match
                kept.items = match.items.filter { !excluded.excludes($0.relative) }
                return kept
            }
        }
        // Nothing matched (only wildcards, each matching nothing): BuildKit's copy returns before it makes the destination.
        var entries = matches.isEmpty ? []
            : destination.entries(for: matches, owner: owner, mode: mode, createdTime: clock.createdDirectoryTime, parents: copy.parents)
        if let epoch = clock.epoch {
            // SOURCE_DATE_EPOCH clamps every mtime, so the layer does not depend on when files were touched.
            for i in entries.indices { entries[i].mtime = min(entries[i].mtime, epoch) }
        }
        let started = ContinuousClock.now
        let built = try await writeLayer(entries)
        let input = entries.reduce(Int64(0)) { sum, entry in if case let .file(_, size) = entry.kind { sum + size } else { sum } }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        log("  \(located(location)) layer \(built.descriptor.digest.encoded.prefix(12)) (\(built.descriptor.size) bytes, \(entries.count) entries; "
            + "\(input) bytes of files in \(String(format: "%.3f", seconds)) s)")
        var expandedSources = rawSources[...]
        let shownSources = copy.sources.map { word in
            Heredoc.name(ofMarker: word).map { "<<" + $0 } ?? expandedSources.popFirst() ?? word
        }
        let text = HistoryText.copy(keyword, chown: try? copy.chown.map { try words.expand($0, env) }, chmod: copy.chmod,
                                    sources: shownSources, destination: rawDestination)
        return (LayerRef(descriptor: built.descriptor, diffID: built.diffID, source: .store), text)
    }

    /// WORKDIR's layer: the directories of `directory` the stage lacks, owned by the stage's USER as
    /// BuildKit makes them; empty when the directory exists (BuildKit still records a layer).
    private func makeWorkingDirectory(_ directory: String, state: StageState, location: SourceLocation) async throws -> LayerRef {
        let view = sources.view(over: state.layers, storeBlobs: runsCommands)
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var entries: [LayerEntry] = []
        do {
            let target = try await view.writeTarget(directory)
            if let existing = target.existing, !existing.isDirectory {
                throw FilesystemViewError.notADirectory(target.path)
            }
            let missing = target.missingParents + (target.existing == nil ? [target.path] : [])
            if !missing.isEmpty {
                var owner = (uid: 0, gid: 0)
                if let user = state.containerConfig.user, !user.isEmpty {
                    owner = try await Ownership.resolve(user, in: view, scratch: scratch)
                }
                entries = missing.map { LayerEntry(path: $0, kind: .directory, mode: 0o755, uid: owner.uid, gid: owner.gid, mtime: clock.createdDirectoryTime) }
            }
        } catch let error as BuildError { throw error } catch {
            throw BuildError.at(location, "WORKDIR \(directory): \(error)")
        }
        let built = try await writeLayer(entries)
        return LayerRef(descriptor: built.descriptor, diffID: built.diffID, source: .store)
    }

    private func writeLayer(_ entries: [LayerEntry]) async throws -> BuiltLayer {
        let store = self.store
        let compression = self.compression
        return try await Blocking.run { try LayerBuilder.write(entries, into: store, compression: compression) }
    }

    private func located(_ location: SourceLocation) -> String { "line \(location.line):" }

    /// The view for `--from=X`: an earlier stage's layers, or an external image's.
    private func fromView(_ from: String, stage: Stage, location: SourceLocation) async throws -> (FilesystemView, String) {
        let (layers, name) = try await fromLayers(from, stage: stage, location: location)
        return (sources.view(over: layers), name)
    }

    /// The layers `--from=X` names (COPY, RUN --mount), and how to call them in messages.
    func fromLayers(_ from: String, stage: Stage, location: SourceLocation) async throws -> ([LayerRef], String) {
        switch try BuildGraph.source(from, from: stage.index, in: graph.stages, location: location, contexts: graph.namedContexts) {
        case let .named(name):
            switch namedContexts[name] ?? namedContexts[name.lowercased()] {
            case let .image(reference)?:
                return (try ImageSources.state(of: try await sources.image(reference)).layers, "\(name) (\(reference))")
            case let .ociLayout(path, reference)?:
                return (try OCILayoutImage.state(path: path, reference: reference, platform: sources.platform, name: name).layers, name)
            case .directory?, nil:
                throw BuildError.at(location, "build context \(name) is not an image")
            }
        case let .stage(i):
            guard let state = built[i] else { throw BuildError.at(location, "stage \(graph.stages[i].displayName) was not built") }
            return (state.layers, "stage \(graph.stages[i].displayName)")
        case .scratch:
            throw BuildError.at(location, "--from=scratch: scratch is empty")
        case let .image(reference):
            do {
                let image = try await sources.image(reference)
                return (try ImageSources.state(of: image).layers, reference)
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

    /// The `--build-context` that `--from=name` refers to, if any.
    func namedContext(_ name: String, stage: Stage, location: SourceLocation) -> NamedContext? {
        guard case .named = try? BuildGraph.source(name, from: stage.index, in: graph.stages, location: location, contexts: graph.namedContexts) else { return nil }
        return namedContexts[name] ?? namedContexts[name.lowercased()]
    }

    private func makeScratch() throws -> String {
        let dir = store.root.appendingPathComponent("ingest/copy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
