/// Gives each parse-tree node its meaning: checks flags and argument counts and builds the typed
/// `Instruction`, as BuildKit's instructions package does. Errors say what is allowed instead.
struct InstructionParser {
    let file: String
    /// The lint rules BuildKit checks while it parses instructions (MaintainerDeprecated,
    /// StageNameCasing, FromAsCasing, InvalidDefinitionDescription); `Linter` checks the rest.
    var warnings: [DockerfileWarning] = []
    /// False inside ONBUILD: BuildKit parses a trigger without its linter.
    private var linting = true

    static let keywords = ["FROM", "ARG", "ENV", "LABEL", "MAINTAINER", "WORKDIR", "USER", "EXPOSE", "VOLUME", "STOPSIGNAL",
                           "SHELL", "HEALTHCHECK", "CMD", "ENTRYPOINT", "COPY", "ADD", "RUN", "ONBUILD"]

    init(file: String) { self.file = file }

    mutating func parse(_ node: Node) throws -> LocatedInstruction {
        let location = SourceLocation(file: file, line: node.startLine, column: node.column)
        do {
            let instruction = try meaning(of: node, location: location)
            return LocatedInstruction(instruction: instruction, location: location, endLine: node.endLine, original: GoQuote.trimSpace(node.original))
        } catch let error as FlagError {
            throw DockerfileError(location, error.description, line: node.original)
        } catch let error as MountSpecError {
            throw DockerfileError(location, error.description, line: node.original)
        } catch let error as Refusal {
            throw DockerfileError(location, error.message, line: node.original)
        }
    }

    struct Refusal: Error { var message: String }

    private mutating func warn(_ rule: LintRule, _ detail: String, _ node: Node, _ location: SourceLocation) {
        guard linting else { return }
        warnings.append(DockerfileWarning(rule, detail, at: location, endLine: node.endLine))
    }

    /// BuildKit's validateDefinitionDescription: the last comment above a FROM … AS name or an ARG
    /// should start with the name it describes.
    private mutating func checkDescription(_ keyword: String, names: [String], _ node: Node, _ location: SourceLocation) {
        guard let last = node.comments.last, !names.isEmpty else { return }
        let firstWord = String(last.split(separator: " ", omittingEmptySubsequences: false).first ?? "")
        if names.contains(firstWord) { return }
        let example = names.count > 1 ? "<arg_key>" : names[0]
        warn(.invalidDefinitionDescription, "Comment for \(keyword) should follow the format: `# \(example) <description>`", node, location)
    }

    private mutating func meaning(of node: Node, location: SourceLocation) throws -> Instruction {
        let keyword = node.keyword.uppercased()
        let words = node.words
        func refuse(_ message: String) -> Refusal { Refusal(message: message) }
        func flags(_ allowed: [String: FlagSet.Kind]) throws -> FlagSet { try FlagSet(node.flags, allowed: allowed, keyword: keyword) }
        func exactlyOne(_ what: String) throws -> String {
            _ = try flags([:])
            guard words.count == 1, !words[0].isEmpty else { throw refuse("\(keyword) requires exactly one argument: \(keyword) \(what)") }
            return words[0]
        }
        func command() -> CommandLine { node.isJSON ? .exec(words) : .shell(words.first ?? "") }

        switch keyword {
        case "FROM":
            let f = try flags(["platform": .string])
            guard words.count == 1 || words.count == 3 else {
                throw refuse("FROM requires either one or three arguments: FROM [--platform=…] image [AS name]")
            }
            if words.count == 3 {
                if words[2] != words[2].lowercased() { warn(.stageNameCasing, "Stage name '\(words[2])' should be lowercase", node, location) }
                // A FROM in mixed case is ConsistentInstructionCasing's business, not this rule's.
                let from = node.keyword
                if from == from.lowercased() ? words[1] != words[1].lowercased() : from == from.uppercased() && words[1] != words[1].uppercased() {
                    warn(.fromAsCasing, "'\(words[1])' and '\(from)' keywords' casing do not match", node, location)
                }
                guard words[1].lowercased() == "as" else { throw refuse("expected 'AS' before the stage name, found \"\(words[1])\": FROM image AS name") }
                checkDescription("FROM", names: [words[2].lowercased()], node, location)
            }
            return .from(FromInstruction(image: words[0], platform: f.strings["platform"], stageName: words.count == 3 ? words[2] : nil))
        case "ARG":
            _ = try flags([:])
            guard !words.isEmpty else { throw refuse("ARG requires at least one argument: ARG NAME[=default]") }
            let declarations = try words.map { word in
                let name = String(word.prefix { $0 != "=" })
                guard !name.isEmpty else { throw refuse("ARG \"\(word)\" has no name: ARG NAME[=default]") }
                return ArgDeclaration(name: name, defaultValue: word.contains("=") ? String(word.drop { $0 != "=" }.dropFirst()) : nil)
            }
            checkDescription("ARG", names: declarations.map(\.name), node, location)
            return .arg(declarations)
        case "ENV", "LABEL":
            _ = try flags([:])
            guard !words.isEmpty else { throw refuse("\(keyword) requires at least one argument: \(keyword) key=value") }
            var pairs: [KeyValue] = []
            for i in stride(from: 0, to: words.count - 2, by: 3) {
                guard !words[i].isEmpty else { throw refuse("\(keyword) names can not be blank: \(keyword) key=value") }
                pairs.append(KeyValue(key: words[i], value: words[i + 1]))
            }
            return keyword == "ENV" ? .env(pairs) : .label(pairs)
        case "MAINTAINER":
            warn(.maintainerDeprecated, "Maintainer instruction is deprecated in favor of using label", node, location)
            let name = try exactlyOneOrRest(words, keyword: keyword, flags: try flags([:]))
            return .maintainer(name)
        case "WORKDIR": return .workdir(try exactlyOne("/path"))
        case "USER": return .user(try exactlyOne("user[:group]"))
        case "STOPSIGNAL": return .stopSignal(try exactlyOne("SIGTERM"))
        case "EXPOSE":
            _ = try flags([:])
            guard !words.isEmpty else { throw refuse("EXPOSE requires at least one argument: EXPOSE 80 443/tcp 8000-8010/udp") }
            return .expose(words)
        case "VOLUME":
            _ = try flags([:])
            guard !words.isEmpty else { throw refuse("VOLUME requires at least one argument: VOLUME /data or VOLUME [\"/data\"]") }
            if words.contains(where: { GoQuote.trimSpace($0).isEmpty }) { throw refuse("VOLUME specified can not be an empty string") }
            return .volume(words)
        case "SHELL":
            _ = try flags([:])
            guard node.isJSON else { throw refuse("SHELL requires the arguments to be in JSON form: SHELL [\"/bin/sh\", \"-c\"]") }
            guard !words.isEmpty else { throw refuse("SHELL requires at least one argument: SHELL [\"/bin/bash\", \"-c\"]") }
            return .shell(words)
        case "CMD", "ENTRYPOINT":
            _ = try flags([:])
            return keyword == "CMD" ? .cmd(node.isJSON ? .exec(words) : .shell(words.first ?? "")) : .entrypoint(command())
        case "HEALTHCHECK":
            return .healthcheck(try healthcheck(node, try flags(["interval": .string, "timeout": .string, "start-period": .string,
                                                                 "start-interval": .string, "retries": .string])))
        case "COPY":
            let f = try flags(["from": .string, "chown": .string, "chmod": .string, "link": .bool, "parents": .bool, "exclude": .list])
            let (sources, destination) = try sourcesAndDestination(node, keyword: keyword)
            if let from = f.strings["from"], from.contains("$") {
                throw refuse("--from=\(from): variables are not expanded in --from; name the stage or image directly, or use a global ARG in a FROM line and copy from that stage")
            }
            var copy = CopyInstruction(try copySpec(sources, destination, f, node), from: f.strings["from"])
            copy.parents = f.bools["parents"] ?? false
            return .copy(copy)
        case "ADD":
            let f = try flags(["chown": .string, "chmod": .string, "link": .bool, "exclude": .list, "checksum": .string,
                               "keep-git-dir": .bool, "unpack": .bool])
            let (sources, destination) = try sourcesAndDestination(node, keyword: keyword)
            // A download's digest, or a git source's commit (hex), as BuildKit 0.25 takes them.
            if let checksum = f.strings["checksum"], !(checksum.hasPrefix("sha256:") || checksum.hasPrefix("sha384:") || checksum.hasPrefix("sha512:")),
               checksum.isEmpty || !checksum.allSatisfy(\.isHexDigit) {
                throw refuse("--checksum=\(checksum): expected sha256:<hex> (or sha384:, sha512:), or a git commit for a git source")
            }
            return .add(AddInstruction(try copySpec(sources, destination, f, node), checksum: f.strings["checksum"],
                                       keepGitDir: f.bools["keep-git-dir"], unpack: f.bools["unpack"]))
        case "RUN":
            let f = try flags(["mount": .list, "network": .string, "security": .string])
            guard !words.isEmpty, node.isJSON || !(words.first ?? "").isEmpty else {
                throw refuse("RUN requires at least one argument: RUN command, or RUN [\"executable\", \"arg\"]")
            }
            if let network = f.strings["network"], !["default", "none", "host"].contains(network) {
                throw refuse("--network=\(network) is not supported: use default, none or host")
            }
            if let security = f.strings["security"], !["sandbox", "insecure"].contains(security) {
                throw refuse("--security=\(security) is not supported: use sandbox or insecure")
            }
            return .run(RunInstruction(command: command(), mounts: try (f.lists["mount"] ?? []).map(MountSpec.init(parsing:)),
                                       network: f.strings["network"], security: f.strings["security"], heredocs: node.heredocs))
        case "ONBUILD":
            _ = try flags([:])
            guard case let .child(child)? = node.arguments.first else { throw refuse("ONBUILD requires at least one argument: ONBUILD INSTRUCTION …") }
            let inner = child.keyword.uppercased()
            if inner == "ONBUILD" { throw refuse("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed") }
            if inner == "FROM" || inner == "MAINTAINER" { throw refuse("\(inner) isn't allowed as an ONBUILD trigger") }
            linting = false
            defer { linting = true }
            let trigger = try meaning(of: child, location: location)
            return .onbuild(OnBuildTrigger(expression: GoQuote.trimSpace(child.original), instruction: trigger))
        default:
            let guess = InstructionParser.keywords.min { editDistance($0, keyword) < editDistance($1, keyword) }
            let hint = guess.flatMap { editDistance($0, keyword) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
            throw refuse("unknown instruction \"\(node.keyword)\"\(hint); instructions are \(InstructionParser.keywords.joined(separator: ", "))")
        }
    }

    private func exactlyOneOrRest(_ words: [String], keyword: String, flags: FlagSet) throws -> String {
        guard let first = words.first, !first.isEmpty else { throw Refusal(message: "\(keyword) requires exactly one argument") }
        return first
    }

    /// The fields COPY and ADD share, from their words, flags and heredocs.
    private func copySpec(_ sources: [String], _ destination: String, _ f: FlagSet, _ node: Node) throws -> CopySpec {
        try checkChmod(f.strings["chmod"])
        var spec = CopySpec(sources: sources, destination: destination, chown: f.strings["chown"], chmod: f.strings["chmod"])
        spec.link = f.bools["link"] ?? false
        spec.excludes = f.lists["exclude"] ?? []
        spec.heredocs = node.heredocs
        return spec
    }

    private func sourcesAndDestination(_ node: Node, keyword: String) throws -> ([String], String) {
        var words = node.words
        guard words.count >= 2 || (!node.heredocs.isEmpty && words.count >= 1) else {
            throw Refusal(message: "\(keyword) requires at least two arguments, but only \(words.count == 1 ? "one was" : "none were") provided: \(keyword) source... destination")
        }
        let destination = words.removeLast()
        return (words, destination)
    }

    private func checkChmod(_ chmod: String?) throws {
        guard let chmod, !chmod.contains("$") else { return }
        if chmod.allSatisfy({ ("0"..."7").contains($0) }), !chmod.isEmpty, chmod.count <= 4 { return }
        if SymbolicMode.parse(chmod) != nil { return }
        throw Refusal(message: "--chmod=\(chmod): expected an octal mode (0755) or a symbolic one (u+x,go=r)")
    }

    private func healthcheck(_ node: Node, _ flags: FlagSet) throws -> Healthcheck {
        let words = node.words
        guard let type = words.first?.uppercased() else { throw Refusal(message: "HEALTHCHECK requires an argument: HEALTHCHECK [options] CMD command, or HEALTHCHECK NONE") }
        if type == "NONE" {
            guard words.count == 1, node.flags.isEmpty else { throw Refusal(message: "HEALTHCHECK NONE takes no arguments and no flags") }
            return .none
        }
        guard type == "CMD" else { throw Refusal(message: "unknown type \"\(words[0])\" in HEALTHCHECK (try CMD)") }
        let command = Array(words.dropFirst())
        guard !command.isEmpty, node.isJSON || !command[0].isEmpty else { throw Refusal(message: "missing command after HEALTHCHECK CMD") }
        var options = HealthcheckOptions()
        for (name, keyPath) in [("interval", \HealthcheckOptions.interval), ("timeout", \.timeout),
                                ("start-period", \.startPeriod), ("start-interval", \.startInterval)] {
            guard let text = flags.strings[name] else { continue }
            guard let ns = Duration.nanoseconds(text) else { throw Refusal(message: "--\(name)=\(text) is not a duration (use e.g. 30s, 1m30s, 500ms)") }
            guard ns == 0 || ns >= 1_000_000 else { throw Refusal(message: "--\(name)=\(text) cannot be less than 1ms") }
            options[keyPath: keyPath] = ns
        }
        if let text = flags.strings["retries"] {
            guard let n = Int(text), n >= 0 else { throw Refusal(message: "--retries=\(text): expected a whole number of at least 0") }
            options.retries = n
        }
        return .check(test: node.isJSON ? ["CMD"] + command : ["CMD-SHELL", command[0]], options: options)
    }
}

/// Levenshtein distance, for did-you-mean hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let old = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = old
        }
    }
    return row[b.count]
}
