/// What `--call=outline` lists for a target: the build args it uses (with value and the comment
/// above their ARG), the secrets and ssh ids its RUN mounts ask for, over the target and every
/// stage it needs. Follows BuildKit 0.25's dockerfile2llb/outline.go:
///
/// * a global ARG counts when a needed FROM line uses it (or an ARG it counts uses it in its
///   default); an ARG inside a needed stage always counts, and a bare `ARG NAME` that inherits a
///   global value shows the global's line, value and comment;
/// * values are `--build-arg` values, else defaults expanded as the build would (the base image's
///   ENV, which a default could name, is not known here and is taken to be empty);
/// * a secret's id is `id=`, else `source=`, else the target's last path element; ssh's is `id=`
///   or `default`; the first mount of an id says whether it is required;
/// * each list is ordered by line. A name in several stages is listed once: the target's first,
///   then its base's, then the stages it copies or mounts from.
public struct BuildOutline: Sendable, Equatable {
    public struct Arg: Sendable, Equatable {
        public var name: String
        public var description: String?
        public var value: String?
        public var location: SourceRange
    }

    public struct Mount: Sendable, Equatable {
        public var name: String
        public var required: Bool
        public var location: SourceRange
    }

    /// The target stage's name (lowercased), nil when it has none.
    public var name: String?
    public var description: String?
    public var args: [Arg]
    public var secrets: [Mount]
    public var ssh: [Mount]
    public var source: String

    /// Throws what the build would throw for the stage graph (`BuildGraphError.unknownTarget`, a
    /// `DockerfileError` for a FROM that expands to nothing or a stage that needs itself).
    public init(_ dockerfile: Dockerfile, target: String? = nil, buildArgs: [String: String] = [:],
                automaticArgs: [String: String] = [:]) throws {
        let graph = try BuildGraph(dockerfile, target: target, buildArgs: buildArgs, automaticArgs: automaticArgs)
        let words = ShellWords(escape: graph.escape)
        source = dockerfile.text

        // The global ARGs: values (a --build-arg, else the default expanded), and the ARGs each default names.
        var globalEnv = graph.automaticArgs
        var globals: [String: ArgInfo] = [:]
        for located in dockerfile.instructions {
            if case .from = located.instruction { break }
            guard case let .arg(declarations) = located.instruction else { continue }
            let node = dockerfile.node(of: located)
            for d in declarations {
                var info = ArgInfo(arg: Arg(name: d.name, description: node?.description(of: d.name), value: nil, location: SourceRange(located)))
                if let value = buildArgs[d.name] {
                    info.arg.value = value
                } else if let value = d.defaultValue {
                    let expanded = try words.expandReporting(value, globalEnv)
                    info.arg.value = expanded.result
                    info.deps = expanded.matched
                    if info.deps.remove(d.name) != nil, let old = globals[d.name] { info.deps.formUnion(old.deps) }
                }
                if let value = info.arg.value { globalEnv[d.name] = value }
                globals[d.name] = info
            }
        }

        var captures: [Capture] = []
        for stage in graph.stages {
            var capture = Capture(all: globals)
            let from = stage.from.instruction
            if case let .from(f) = from {
                capture.used.formUnion((try? words.expandReporting(f.image, globalEnv))?.matched ?? [])
                if let platform = f.platform { capture.used.formUnion((try? words.expandReporting(platform, globalEnv))?.matched ?? []) }
            }
            if case let .stage(b) = try BuildGraph.source(stage.base, from: stage.index, in: graph.stages, location: stage.from.location,
                                                          contexts: graph.namedContexts, byIndex: false), b < captures.count {
                capture.env = captures[b].env
            }
            for located in stage.instructions {
                switch located.instruction {
                case let .arg(declarations):
                    let node = dockerfile.node(of: located)
                    for d in declarations {
                        var value: String?
                        var inherited = false
                        if buildArgs[d.name] == nil, d.defaultValue == nil, let global = globalEnv[d.name] {
                            value = global
                            inherited = true
                        }
                        if let given = buildArgs[d.name] {
                            value = given
                        } else if let text = d.defaultValue {
                            value = try words.expand(text, capture.env)
                        }
                        if let value { capture.env[d.name] = value }
                        if !inherited {
                            capture.all[d.name] = ArgInfo(arg: Arg(name: d.name, description: node?.description(of: d.name), value: value,
                                                                   location: SourceRange(located)))
                        }
                        capture.used.insert(d.name)
                    }
                case let .env(pairs):
                    for pair in pairs {
                        capture.env[(try? words.expand(pair.key, capture.env)) ?? pair.key] = (try? words.expand(pair.value, capture.env)) ?? pair.value
                    }
                case let .run(run):
                    for mount in run.mounts {
                        switch mount.type {
                        case .secret:
                            var id = mount.id ?? ""
                            if let source = mount.source, !source.isEmpty { id = source }
                            if id.isEmpty, let target = mount.target { id = String(target.split(separator: "/").last ?? "") }
                            if !id.isEmpty, !capture.secrets.contains(where: { $0.name == id }) {
                                capture.secrets.append(Mount(name: id, required: mount.required, location: SourceRange(located)))
                            }
                        case .ssh:
                            let id = mount.id.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
                            if !capture.ssh.contains(where: { $0.name == id }) {
                                capture.ssh.append(Mount(name: id, required: mount.required, location: SourceRange(located)))
                            }
                        default: break
                        }
                    }
                default: break
                }
            }
            captures.append(capture)
        }

        // Target first, then its base, then the stages it takes from (BuildKit's args/secrets/ssh walk).
        let targetIndex = graph.order.last!
        var walk: [Int] = []
        func visit(_ i: Int) throws {
            guard !walk.contains(i) else { return }
            walk.append(i)
            for dependency in try BuildGraph.dependencies(of: graph.stages[i], in: graph.stages, contexts: graph.namedContexts) { try visit(dependency) }
        }
        try visit(targetIndex)

        var args: [Arg] = [], secrets: [Mount] = [], ssh: [Mount] = []
        var seenArgs: Set<String> = [], seenSecrets: Set<String> = [], seenSSH: Set<String> = []
        for i in walk {
            let capture = captures[i]
            for name in capture.usedWithDependencies().sorted() {
                guard let info = capture.all[name], seenArgs.insert(name).inserted else { continue }
                args.append(info.arg)
            }
            for secret in capture.secrets where seenSecrets.insert(secret.name).inserted { secrets.append(secret) }
            for item in capture.ssh where seenSSH.insert(item.name).inserted { ssh.append(item) }
        }
        func byLine<T>(_ list: [T], _ line: (T) -> Int) -> [T] {
            list.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }.map(\.element)
        }
        self.args = byLine(args) { $0.location.start }
        self.secrets = byLine(secrets) { $0.location.start }
        self.ssh = byLine(ssh) { $0.location.start }
        let targetStage = graph.stages[targetIndex]
        name = targetStage.name
        description = targetStage.name.flatMap { dockerfile.node(of: targetStage.from)?.description(of: $0) }
    }

    private struct ArgInfo {
        var arg: Arg
        /// The global ARGs its default names, which count whenever it does.
        var deps: Set<String> = []
    }

    /// One stage's view (BuildKit's outlineCapture).
    private struct Capture {
        var all: [String: ArgInfo]
        var used: Set<String> = []
        var env: [String: String] = [:]
        var secrets: [Mount] = []
        var ssh: [Mount] = []

        func usedWithDependencies() -> Set<String> {
            var result: Set<String> = []
            var pending = Array(used)
            while let name = pending.popLast() {
                guard result.insert(name).inserted else { continue }
                pending.append(contentsOf: all[name]?.deps ?? [])
            }
            return result
        }
    }
}
