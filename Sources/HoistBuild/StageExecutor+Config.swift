import HoistDockerfile
import HoistLayers
import HoistOCI

/// The instructions that change the image config (ARG, ENV, LABEL, WORKDIR, USER, EXPOSE, CMD,
/// ENTRYPOINT, MAINTAINER, VOLUME, STOPSIGNAL, SHELL, HEALTHCHECK, ONBUILD), with the history
/// text BuildKit writes for each. Their words arrive expanded.
extension StageExecutor {
    func configure(_ instruction: Instruction, state: inout StageState, variables: inout StageVariables,
                   cmdSetHere: inout Bool) throws -> Outcome {
        switch instruction {
        case let .arg(declarations):
            var recordedPairs: [String] = []
            for d in declarations {
                do {
                    let value = try variables.declare(d, words: ShellWords(escape: graph.escape))
                    recordedPairs.append(d.name + (value.map { "=" + $0 } ?? ""))
                } catch { throw StageError.argument(name: d.name, error) }
            }
            // BuildKit 0.25 records the value each ARG took (a build arg's, the expanded default or the global one).
            return Outcome(createdBy: "ARG " + recordedPairs.joined(separator: " "))
        case let .env(pairs):
            for pair in pairs {
                state.containerConfig.setEnvironment(pair.key, pair.value)
                variables.setEnv(pair.key, pair.value)
            }
            return Outcome(createdBy: HistoryText.pairs("ENV", pairs.map { ($0.key, $0.value) }))
        case let .label(pairs):
            var labels = state.containerConfig.labels ?? [:]
            for pair in pairs { labels[pair.key] = pair.value }
            state.containerConfig.labels = labels
            return Outcome(createdBy: HistoryText.pairs("LABEL", pairs.map { ($0.key, $0.value) }))
        case let .user(user):
            state.containerConfig.user = user
            return Outcome(createdBy: "USER \(user)")
        case let .expose(words):
            let ports = try words.flatMap(ExposedPorts.ports)
            var exposed = state.containerConfig.exposedPorts ?? [:]
            for port in ports { exposed[port] = EmptyObject() }
            state.containerConfig.exposedPorts = exposed
            return Outcome(createdBy: HistoryText.expose(ports))
        case let .cmd(command):
            state.containerConfig.cmd = argv(command, state)
            cmdSetHere = true
        case let .entrypoint(command):
            state.containerConfig.entrypoint = argv(command, state)
            // As BuildKit: an ENTRYPOINT drops a CMD inherited from the base, but not one set in this stage.
            if !cmdSetHere { state.containerConfig.cmd = nil }
        case let .maintainer(name):
            state.config.author = name
        case let .volume(paths):
            var volumes = state.containerConfig.volumes ?? [:]
            for path in paths { volumes[path] = EmptyObject() }
            state.containerConfig.volumes = volumes
            return Outcome(createdBy: HistoryText.volume(paths))
        case let .stopSignal(signal):
            state.containerConfig.stopSignal = signal
            return Outcome(createdBy: "STOPSIGNAL \(signal)")
        case let .shell(shell):
            state.containerConfig.shell = shell
            return Outcome(createdBy: "SHELL [" + shell.joined(separator: " ") + "]")
        case let .healthcheck(check):
            let config = healthConfig(check)
            state.containerConfig.healthcheck = config
            return Outcome(createdBy: HistoryText.healthcheck(config))
        case let .onbuild(trigger):
            state.containerConfig.onBuild = (state.containerConfig.onBuild ?? []) + [trigger.expression]
            return Outcome(recorded: false)
        case .from, .workdir, .copy, .add, .run:
            break
        }
        return Outcome()
    }

    /// WORKDIR: as BuildKit 0.25 (system.NormalizeWorkdir), an absolute path is kept as written
    /// (`/root/`), a relative one is joined to the previous WORKDIR and cleaned, an empty one keeps
    /// it. Every WORKDIR but `/` is a layer that makes the directory if the stage lacks it.
    func workdir(_ path: String, step: Step, state: inout StageState) async throws -> Outcome {
        let directory = path.isEmpty ? state.workingDirectory
            : path.hasPrefix("/") ? path : "/" + TarHeader.normalize(state.workingDirectory + "/" + path)
        state.containerConfig.workingDir = directory
        guard directory != "/" else { return Outcome(createdBy: "WORKDIR \(directory)") }
        return Outcome(createdBy: "WORKDIR \(directory)", layer: try await makeWorkingDirectory(directory, step: step, state: state))
    }

    /// Exec form as is; shell form wrapped in the stage's SHELL (default `/bin/sh -c`).
    func argv(_ command: HoistDockerfile.CommandLine, _ state: StageState) -> [String] {
        switch command {
        case let .exec(list): list
        case let .shell(text): (state.containerConfig.shell ?? ["/bin/sh", "-c"]) + [text]
        }
    }

    /// `created_by` as BuildKit writes it, for instructions whose text is not built above.
    func historyText(_ located: LocatedInstruction, _ state: StageState) -> String {
        func rendered(_ argv: [String]?) -> String { "[" + (argv ?? []).map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        switch located.instruction {
        case .cmd: return "CMD \(rendered(state.containerConfig.cmd))"
        case .entrypoint: return "ENTRYPOINT \(rendered(state.containerConfig.entrypoint))"
        default: return located.original
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
}
