import Foundation
import HoistDockerfile
import HoistLayers
import HoistSandbox

/// RUN: the command, its mounts and its environment resolved against the stage, then run by RunStep.
extension StageExecutor {
    func runStep(_ run: RunInstruction, step: Step, stage: Stage, state: StageState, variables: StageVariables,
                 location: SourceLocation) async throws -> (LayerRef, String) {
        let (argv, network, script) = try runCommand(run, state: state)
        var (mounts, mountEnvironment) = try await runMounts(run.mounts, state: state, stage: stage, location: location)
        if let script { mounts.append(script) }
        // Build args in scope reach the command as environment variables, as in BuildKit.
        let imageEnv = state.containerConfig.env ?? []
        let args = variables.args.filter { key, _ in !imageEnv.contains { $0.hasPrefix(key + "=") } }.sorted { $0.key < $1.key }
        // History lists every ARG declared so far, inherited ones too, in order, with the value the
        // command sees ("" for one without a value), as BuildKit's runCommandString does.
        let visible = variables.expansionEnvironment
        let argPairs = variables.declaredNames.map { "\($0)=\(visible[$0] ?? "")" }
        let argText = argPairs.isEmpty ? "" : "|\(argPairs.count) " + argPairs.joined(separator: " ") + " "
        let createdBy = "RUN " + argText + argv.joined(separator: " ") + " # buildkit"
        let environment = imageEnv + args.map { "\($0.key)=\($0.value)" }

        var key = baseKey("run", state: state)
        key.add("the command", argv)
        for pair in imageEnv { key.add("env " + pair.prefix { $0 != "=" }, pair) }
        for (name, value) in args { key.add("build arg " + name, value) }
        // A secret's value never goes into the key: only the names the mounts add.
        key.add("mount environment", mountEnvironment.map { String($0.prefix { $0 != "=" }) })
        key.add("platform", [state.config.os, state.config.architecture, state.config.variant ?? ""])
        key.add("user", state.containerConfig.user ?? "")
        key.add("working directory", state.workingDirectory)
        key.add("network", "\(network)")
        // Only what is set joins the key, so builds without these flags keep their keys.
        if !runDefaults.extraHosts.isEmpty { key.add("extra hosts", runDefaults.extraHosts.map { "\($0.name)=\($0.address)" }) }
        if !runDefaults.limits.isEmpty { key.add("ulimits", runDefaults.limits.map { "\($0.name)=\($0.soft):\($0.hard)" }) }
        if let size = runDefaults.shmSize { key.add("shm size", "\(size)") }
        key.add("security", run.security ?? "")
        for (target, mount) in mounts { try key.add(mount: target, mount) }
        if let cached = await cachedLayer(key, step: step, what: "RUN", claim: true) { return (cached, createdBy) }

        let runStep = RunStep(sources: sources, store: store, snapshotter: snapshotter, clock: clock, compression: compression,
                              progress: progress, limits: limits, defaults: runDefaults)
        do {
            let layer = try await runStep.run(argv: argv, environment: environment + mountEnvironment,
                                              network: network, mounts: mounts, insecure: run.security == "insecure",
                                              state: state, createdBy: createdBy, location: location)
            await cache.record(key, step: step.id, layer: layer)
            await cache.release(key)
            return (layer, createdBy)
        } catch {
            await cache.release(key)
            throw error
        }
    }

    /// RUN's argv and network. `RUN <<EOF` runs the heredoc as the script, or, when it starts with
    /// `#!`, as a file at /dev/pipes/EOF that the shell starts (BuildKit's way, so the `#!` line
    /// picks the interpreter); `RUN cmd <<EOF` gives the shell the line with its heredocs. What the
    /// sandbox does not offer is refused with the line.
    private func runCommand(_ run: RunInstruction, state: StageState) throws -> ([String], Sandbox.Network, (target: String, mount: RunMount)?) {
        if run.security == "insecure", !allowInsecure {
            throw StageError.insecureNotAllowed
        }
        let network: Sandbox.Network
        switch run.network ?? runDefaults.network {
        case "default", "host": network = .host
        case "none": network = .none
        case let other: throw StageError.network(other)
        }
        var argv = argv(run.command, state)
        var script: (target: String, mount: RunMount)?
        if case let .shell(text) = run.command, let heredoc = run.heredocs.first {
            let shell = state.containerConfig.shell ?? ["/bin/sh", "-c"]
            if run.heredocs.count == 1, Heredoc.name(ofMarker: text.trimmingCharacters(in: .whitespaces)) == heredoc.name {
                if heredoc.content.hasPrefix("#!") {
                    let path = "/dev/pipes/" + heredoc.name
                    script = (path, .script(bytes: Array(heredoc.content.utf8)))
                    argv = shell + [path]
                } else {
                    // `RUN <<EOF`: the heredoc is the script.
                    argv = shell + [heredoc.content]
                }
            } else {
                // `RUN cmd <<EOF`: the shell gets the line and its heredocs, as BuildKit hands them over.
                argv = shell + [text + "\n" + run.heredocs.map { $0.content + $0.name }.joined(separator: "\n")]
            }
        }
        return (argv, network, script)
    }

    /// RUN's `--mount`s resolved to their content, with the environment they add (SSH_AUTH_SOCK,
    /// a secret's `env=`). Targets are relative to WORKDIR as in BuildKit.
    private func runMounts(_ specs: [MountSpec], state: StageState, stage: Stage,
                           location: SourceLocation) async throws -> ([(target: String, mount: RunMount)], [String]) {
        var mounts: [(target: String, mount: RunMount)] = []
        var environment: [String] = []
        func absolute(_ target: String) -> String { target.hasPrefix("/") ? target : state.workingDirectory + "/" + target }
        for spec in specs {
            let what = "RUN --mount=type=\(spec.type.rawValue)"
            switch spec.type {
            case .cache:
                guard let target = spec.target else { throw StageError.mountNeeds(mount: what, what: "target=") }
                var seed: (layers: [LayerRef], source: String)?
                if let from = spec.from {
                    seed = (try await resolver.layers(from, in: stage, built: built, location: location).0, spec.source ?? "/")
                }
                mounts.append((absolute(target), .cache(id: spec.id ?? absolute(target), sharing: spec.sharing, mode: spec.mode ?? 0o755,
                                                         uid: spec.uid ?? 0, gid: spec.gid ?? 0, seed: seed)))
            case .bind:
                guard let target = spec.target else { throw StageError.mountNeeds(mount: what, what: "target=") }
                let source = spec.source ?? "/"
                let readOnly = spec.readOnly ?? true
                if let from = spec.from {
                    switch try await resolver.resolve(from, in: stage, built: built, use: .content, location: location) {
                    case let .directory(path):
                        mounts.append((absolute(target), .hostPath(try contextPath(source, root: path), readOnly: readOnly)))
                    case let .state(fromState, _):
                        mounts.append((absolute(target), .layers(fromState.layers, source: source, readOnly: readOnly)))
                    }
                } else {
                    mounts.append((absolute(target), .hostPath(try contextPath(source, root: context.root), readOnly: readOnly)))
                }
            case .tmpfs:
                guard let target = spec.target else { throw StageError.mountNeeds(mount: what, what: "target=") }
                mounts.append((absolute(target), .tmpfs(size: spec.size)))
            case .secret:
                let id = spec.id ?? spec.target.map { ($0 as NSString).lastPathComponent } ?? ""
                guard !id.isEmpty else { throw StageError.mountNeeds(mount: what, what: "id= or target=") }
                guard let source = secrets[id] else {
                    if spec.required { throw StageError.noSuchSecret(mount: what, id: id) }
                    continue
                }
                let bytes: [UInt8]
                do { bytes = try source.read() } catch { throw StageError.unreadableSecret(mount: what, id: id, error) }
                if let variable = spec.env {
                    environment.append("\(variable)=\(String(decoding: bytes, as: UTF8.self))")
                    if spec.target == nil { continue }
                }
                mounts.append((absolute(spec.target ?? "/run/secrets/\(id)"),
                               .secret(id: id, bytes: bytes, mode: spec.mode ?? 0o400, uid: spec.uid ?? 0, gid: spec.gid ?? 0)))
            case .ssh:
                guard let socket = sshAgent else {
                    if spec.required { throw StageError.noSSHAgent(mount: what) }
                    continue
                }
                let target = absolute(spec.target ?? "/run/buildkit/ssh_agent.\(mounts.count)")
                mounts.append((target, .ssh(socket: socket)))
                environment.append("SSH_AUTH_SOCK=\(target)")
            }
        }
        return (mounts, environment)
    }

    /// A bind mount's source inside a directory (the context), never outside it.
    private func contextPath(_ source: String, root: String) throws -> String {
        guard let realRoot = realpath(root, nil) else { throw StageError.unreadableContext(root) }
        defer { free(realRoot) }
        let base = String(cString: realRoot)
        guard let real = realpath(base + "/" + TarHeader.normalize(source), nil) else {
            throw StageError.bindSourceMissing(source)
        }
        defer { free(real) }
        let path = String(cString: real)
        guard path == base || path.hasPrefix(base + "/") else {
            throw StageError.bindSourceOutside(source)
        }
        return path
    }

}
