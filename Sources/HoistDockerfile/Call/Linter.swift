/// BuildKit's lint rules that look at more than one instruction: stage names, instruction casing,
/// ARGs in FROM, and what BuildKit checks while it dispatches each stage (ENV/LABEL format,
/// secrets in ARG/ENV names, WORKDIR, CMD/ENTRYPOINT/HEALTHCHECK, EXPOSE). Warnings come out in
/// the order BuildKit 0.25 finds them (`toDispatchState` in dockerfile2llb/convert.go), which is
/// the order of `--call=check,format=json`. Only the parse is used: no image config, no context,
/// so the base image's ENV and SHELL are taken to be empty and the platform args those of
/// linux/amd64.
struct Linter {
    let file: String
    let nodes: [Node]
    let instructions: [LocatedInstruction]
    let words: ShellWords
    private(set) var warnings: [DockerfileWarning] = []

    /// The automatic platform ARGs FROM lines may use without declaring them (BuildKit's defaultArgs).
    static let automaticArgs: [String: String] = [
        "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDOSVERSION": "", "BUILDARCH": "amd64", "BUILDVARIANT": "",
        "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETOSVERSION": "", "TARGETARCH": "amd64", "TARGETVARIANT": "",
        "TARGETSTAGE": "default",
    ]

    init(file: String, nodes: [Node], instructions: [LocatedInstruction], escape: Character) {
        self.file = file
        self.nodes = nodes
        self.instructions = instructions
        words = ShellWords(escape: escape)
    }

    /// One FROM section: the indexes (into `instructions`) of its FROM and of what follows it.
    private struct Section {
        var from: Int
        var body: [Int]
        var name: String?
    }

    static func warnings(file: String, nodes: [Node], instructions: [LocatedInstruction], escape: Character) -> [DockerfileWarning] {
        var linter = Linter(file: file, nodes: nodes, instructions: instructions, escape: escape)
        linter.run()
        return linter.warnings
    }

    private mutating func warn(_ rule: LintRule, _ detail: String, at index: Int) {
        warnings.append(DockerfileWarning(rule, detail, at: instructions[index].location, endLine: instructions[index].endLine))
    }

    private mutating func run() {
        var globals: [Int] = []
        var sections: [Section] = []
        for (i, located) in instructions.enumerated() {
            if case let .from(from) = located.instruction {
                sections.append(Section(from: i, body: [], name: from.stageName?.lowercased()))
            } else if sections.isEmpty {
                globals.append(i)
            } else {
                sections[sections.count - 1].body.append(i)
            }
        }
        checkStageNames(sections)
        checkCasing(sections)
        let globalDeclarations = globals.flatMap { i -> [ArgDeclaration] in
            if case let .arg(list) = instructions[i].instruction { return list }
            return []
        }
        checkDefaultBaseNames(sections, globalDeclarations)
        checkFromArgs(sections, globalDeclarations)
        var finished: [String: StageState] = [:]
        for (n, section) in sections.enumerated() {
            var state = StageState()
            if case let .from(from) = instructions[section.from].instruction,
               let base = sections[..<n].lastIndex(where: { $0.name == from.image.lowercased() }).flatMap({ finished[sections[$0].name ?? ""] }) {
                state.inherit(base)
            }
            for i in section.body { dispatch(i, &state) }
            if let name = section.name { finished[name] = state }
        }
    }

    /// What a stage carries into the stages built FROM it, as far as the rules need.
    private struct StageState {
        var workdirSet = false
        var shellSet = false
        var env: [String: String] = [:]
        var cmd: Int?
        var entrypoint: Int?
        var healthcheck: Int?

        mutating func inherit(_ base: StageState) {
            workdirSet = base.workdirSet
            shellSet = base.shellSet
            env = base.env
        }
    }

    /// ReservedStageName, DuplicateStageName (validateStageNames).
    private mutating func checkStageNames(_ sections: [Section]) {
        var seen: Set<String> = []
        for section in sections {
            guard let name = section.name else { continue }
            if name == "context" || name == "scratch" {
                warn(.reservedStageName, "Stage name should not use the same name as reserved stage \(GoQuote.quote(name))", at: section.from)
            }
            if !seen.insert(name).inserted {
                warn(.duplicateStageName, "Duplicate stage name \(GoQuote.quote(name)), stage names should be unique", at: section.from)
            }
        }
    }

    /// ConsistentInstructionCasing (validateCommandCasing): the instructions of the stages (not the
    /// ARGs before the first FROM) vote; each one in the other case, or in mixed case, is reported.
    private mutating func checkCasing(_ sections: [Section]) {
        var lower = 0, upper = 0
        let all = sections.flatMap { [$0.from] + $0.body }
        for i in all {
            let keyword = nodes[i].keyword
            if keyword == keyword.lowercased() { lower += 1 } else if keyword == keyword.uppercased() { upper += 1 }
        }
        let majorityLower = lower > upper
        for i in all {
            let keyword = nodes[i].keyword
            if majorityLower, keyword != keyword.lowercased() {
                warn(.consistentInstructionCasing, "Command '\(keyword)' should match the case of the command majority (lowercase)", at: i)
            } else if !majorityLower, keyword != keyword.uppercased() {
                warn(.consistentInstructionCasing, "Command '\(keyword)' should match the case of the command majority (uppercase)", at: i)
            }
        }
    }

    /// The global ARGs' values, expanded in order: from `buildArgs` (by name), else their defaults.
    private func globalValues(_ declarations: [ArgDeclaration], buildArgs: [String: String] = [:]) -> [String: String]? {
        var env = Linter.automaticArgs
        for d in declarations {
            if let value = buildArgs[d.name] {
                env[d.name] = value
            } else if let value = d.defaultValue {
                guard let expanded = try? words.expand(value, env) else { return nil }
                env[d.name] = expanded
            }
        }
        return env
    }

    /// InvalidDefaultArgInFrom (validateBaseImagesWithDefaultArgs): with only the ARGs' defaults,
    /// every FROM should still name a valid image reference.
    private mutating func checkDefaultBaseNames(_ sections: [Section], _ globals: [ArgDeclaration]) {
        guard let env = globalValues(globals) else { return }
        for section in sections {
            guard case let .from(from) = instructions[section.from].instruction, let name = try? words.expand(from.image, env) else { return }
            if !ImageName.isValid(name) {
                warn(.invalidDefaultArgInFrom, "Default value for ARG \(from.image) results in empty or invalid base image name", at: section.from)
            }
        }
    }

    /// UndefinedArgInFrom, RedundantTargetPlatform, FromPlatformFlagConstDisallowed: the FROM lines'
    /// variables, as BuildKit expands them before building.
    private mutating func checkFromArgs(_ sections: [Section], _ globals: [ArgDeclaration]) {
        guard let env = globalValues(globals) else { return }
        let known = Set(env.keys).union(globals.map(\.name)).sorted()
        func undeclared(_ unmatched: Set<String>, at index: Int) {
            for name in unmatched.sorted() where !known.contains(name) {
                let guess = Linter.suggestion(for: name, among: known).map { " (did you mean \($0)?)" } ?? ""
                warn(.undefinedArgInFrom, "FROM argument '\(name)' is not declared\(guess)", at: index)
            }
        }
        for section in sections {
            guard case let .from(from) = instructions[section.from].instruction else { continue }
            guard let base = try? words.expandReporting(from.image, env) else { continue }
            undeclared(base.unmatched, at: section.from)
            guard let platform = from.platform, let expanded = try? words.expandReporting(platform, env) else { continue }
            undeclared(expanded.unmatched, at: section.from)
            if expanded.matched == ["TARGETPLATFORM"], expanded.unmatched.isEmpty, expanded.result == env["TARGETPLATFORM"] {
                warn(.redundantTargetPlatform, "Setting platform to predefined \(platform) in FROM is redundant as this is the default behavior", at: section.from)
            }
            if expanded.matched.isEmpty, expanded.unmatched.isEmpty, let (os, arch) = Linter.osAndArchitecture(expanded.result) {
                let stage = section.name ?? ""
                if !stage.contains(os), !stage.contains(arch) {
                    warn(.fromPlatformFlagConstDisallowed, "FROM --platform flag should not use constant value \(GoQuote.quote(expanded.result))", at: section.from)
                }
            }
        }
    }

    /// What BuildKit checks while dispatching one instruction of a stage.
    private mutating func dispatch(_ i: Int, _ state: inout StageState) {
        let node = nodes[i]
        switch instructions[i].instruction {
        case let .env(pairs):
            for (n, pair) in pairs.enumerated() {
                if node.words.count > n * 3 + 2, node.words[n * 3 + 2].isEmpty {
                    warn(.legacyKeyValueFormat, "\"\(node.keyword) key=value\" should be used instead of legacy \"\(node.keyword) key value\" format", at: i)
                }
                let key = (try? words.expand(pair.key, state.env)) ?? pair.key
                checkSecretName("ENV", key, at: i)
                state.env[key] = (try? words.expand(pair.value, state.env)) ?? pair.value
            }
        case let .label(pairs):
            for n in pairs.indices where node.words.count > n * 3 + 2 && node.words[n * 3 + 2].isEmpty {
                warn(.legacyKeyValueFormat, "\"\(node.keyword) key=value\" should be used instead of legacy \"\(node.keyword) key value\" format", at: i)
            }
        case let .arg(declarations):
            for d in declarations {
                checkSecretName("ARG", d.name, at: i)
                if let value = d.defaultValue { state.env[d.name] = (try? words.expand(value, state.env)) ?? value }
            }
        case let .workdir(path):
            let expanded = (try? words.expand(path, state.env)) ?? path
            if !state.workdirSet, !expanded.hasPrefix("/") {
                warn(.workdirRelativePath, "Relative workdir \(GoQuote.quote(expanded)) can have unexpected results if the base image changes", at: i)
            }
            state.workdirSet = true
        case let .cmd(command):
            usedOnce(&state.cmd, i)
            if case .shell = command, !state.shellSet { jsonArgs(i) }
        case let .entrypoint(command):
            usedOnce(&state.entrypoint, i)
            if case .shell = command, !state.shellSet { jsonArgs(i) }
        case .healthcheck:
            usedOnce(&state.healthcheck, i)
        case .shell:
            state.shellSet = true
        case let .expose(ports):
            // BuildKit sorts the ports as written, then expands each into words.
            for raw in ports.sorted() {
                for port in words.split((try? words.expand(raw, state.env)) ?? raw) {
                    checkPort(port, at: i)
                }
            }
        default:
            break
        }
    }

    /// MultipleInstructionsDisallowed: reported at the earlier instruction, the one that is ignored.
    private mutating func usedOnce(_ previous: inout Int?, _ i: Int) {
        if let previous {
            warn(.multipleInstructionsDisallowed, "Multiple \(nodes[i].keyword) instructions should not be used in the same stage because only the last one will be used", at: previous)
        }
        previous = i
    }

    private mutating func jsonArgs(_ i: Int) {
        warn(.jsonArgsRecommended, "JSON arguments recommended for \(nodes[i].keyword) to prevent unintended behavior related to OS signals", at: i)
    }

    /// SecretsUsedInArgOrEnv (`SensitiveName`).
    private mutating func checkSecretName(_ instruction: String, _ name: String, at i: Int) {
        if SensitiveName.matches(name) {
            warn(.secretsUsedInArgOrEnv, "Do not use ARG or ENV instructions for sensitive data (\(instruction) \(GoQuote.quote(name)))", at: i)
        }
    }

    /// ExposeProtoCasing, ExposeInvalidFormat: `[ip:][hostPort:]port[/proto]`.
    private mutating func checkPort(_ raw: String, at i: Int) {
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let ip = parts.count >= 3 ? parts.dropLast(2).joined(separator: ":") : ""
        let hostPort = parts.count >= 2 ? parts[parts.count - 2] : ""
        let containerPort = parts[parts.count - 1]
        let proto = containerPort.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
        if proto != proto.lowercased() {
            warn(.exposeProtoCasing, "Defined protocol '\(raw)' in EXPOSE instruction should be lowercase", at: i)
        }
        if !ip.isEmpty || !hostPort.isEmpty {
            warn(.exposeInvalidFormat, "EXPOSE instruction should not define an IP address or host-port mapping, found '\(raw)'", at: i)
        }
    }

    /// BuildKit's suggest.Search: the closest name at an edit distance under 3, none for an exact match.
    static func suggestion(for name: String, among options: [String]) -> String? {
        var best: String?
        var distance = 3
        for option in options {
            if option == name { return nil }
            let d = editDistance(name, option)
            if d < distance { best = option; distance = d }
        }
        return best
    }

    /// The OS and architecture of a platform such as `linux/amd64` or `linux/arm/v7`.
    static func osAndArchitecture(_ text: String) -> (String, String)? {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let arch = ["x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm", "i386": "386"][parts[1]] ?? parts[1]
        return (parts[0], arch)
    }
}
