import Foundation

/// Turns one logical line into an `Instruction`, checking flags and argument counts.
struct InstructionParser {
    let file: String
    let words: ShellWords

    init(file: String, escape: Character) {
        self.file = file
        words = ShellWords(escape: escape)
    }

    static let notYetSupported: Set<String> = [
        "add", "shell", "volume", "stopsignal", "healthcheck", "onbuild", "maintainer",
    ]
    static let known: [String] = [
        "FROM", "ARG", "ENV", "LABEL", "WORKDIR", "USER", "EXPOSE", "CMD", "ENTRYPOINT", "COPY", "RUN",
        "ADD", "SHELL", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD", "MAINTAINER",
    ]

    mutating func parse(_ line: LogicalLine) throws -> LocatedInstruction {
        let location = SourceLocation(file: file, line: line.startLine, column: line.column)
        let text = line.text.trimmingCharacters()
        let keywordEnd = text.firstIndex { $0 == " " || $0 == "\t" } ?? text.endIndex
        let keyword = String(text[..<keywordEnd])
        var rest = text[keywordEnd...].trimmingCharacters()
        let fail = { (message: String) in DockerfileError(location, message) }

        let lower = keyword.lowercased()
        if InstructionParser.notYetSupported.contains(lower) {
            throw fail("\(keyword.uppercased()) is not supported yet by hoist; this first version handles FROM, ARG, ENV, LABEL, WORKDIR, USER, EXPOSE, CMD, ENTRYPOINT, COPY")
        }
        guard InstructionParser.known.contains(keyword.uppercased()) else {
            let hint = InstructionParser.known.first { $0.hasPrefix(keyword.uppercased().prefix(2)) }.map { " (did you mean \($0)?)" } ?? ""
            throw fail("unknown instruction \"\(keyword)\"\(hint)")
        }
        let flags = try takeFlags(&rest, location)
        func allowFlags(_ allowed: Set<String>) throws {
            for name in flags.keys where !allowed.contains(name) {
                let more = ["link", "parents", "exclude"].contains(name) ? " is not supported yet by hoist" : " is not a flag of \(keyword.uppercased())"
                throw fail("--\(name)\(more)\(allowed.isEmpty ? "" : " (allowed: \(allowed.sorted().map { "--" + $0 }.joined(separator: ", ")))")")
            }
        }
        func requireArguments(_ what: String) throws {
            if rest.isEmpty { throw fail("\(keyword.uppercased()) needs \(what)") }
        }

        let instruction: Instruction
        switch lower {
        case "from":
            try allowFlags(["platform"])
            let parts = words.split(rest)
            guard parts.count == 1 || (parts.count == 3 && parts[1].lowercased() == "as") else {
                throw fail("FROM takes an image and an optional \"AS name\": FROM [--platform=...] image [AS name]")
            }
            instruction = .from(FromInstruction(image: parts[0], platform: flags["platform"] ?? nil,
                                                stageName: parts.count == 3 ? parts[2] : nil))
        case "arg":
            try allowFlags([])
            try requireArguments("a name: ARG NAME[=default]")
            instruction = .arg(words.split(rest).map { word in
                if let eq = word.firstIndex(of: "=") {
                    return ArgDeclaration(name: String(word[..<eq]), defaultValue: String(word[word.index(after: eq)...]))
                }
                return ArgDeclaration(name: word, defaultValue: nil)
            })
        case "env", "label":
            try allowFlags([])
            try requireArguments("at least one key=value pair")
            instruction = lower == "env" ? .env(try keyValues(rest, keyword, location)) : .label(try keyValues(rest, keyword, location))
        case "workdir":
            try allowFlags([])
            try requireArguments("a directory")
            instruction = .workdir(rest)
        case "user":
            try allowFlags([])
            try requireArguments("a user: USER name[:group] or USER uid[:gid]")
            instruction = .user(rest)
        case "expose":
            try allowFlags([])
            try requireArguments("at least one port: EXPOSE 80 443/tcp")
            instruction = .expose(words.split(rest))
        case "cmd", "entrypoint":
            try allowFlags([])
            let command = commandLine(rest)
            instruction = lower == "cmd" ? .cmd(command) : .entrypoint(command)
        case "run":
            instruction = .run(rest)
        case "copy":
            try allowFlags(["from", "chown", "chmod"])
            var args: [String]
            if case let .exec(list) = commandLine(rest) { args = list } else { args = words.split(rest) }
            guard args.count >= 2 else {
                throw fail("COPY needs at least one source and a destination: COPY [--from=stage] src... dest")
            }
            let destination = args.removeLast()
            if let from = flags["from"] ?? nil, from.contains("$") {
                throw fail("--from=\(from): variables are not expanded in --from; name the stage or image directly, or use a global ARG in a FROM line and copy from that stage")
            }
            instruction = .copy(CopyInstruction(sources: args, destination: destination, from: flags["from"] ?? nil,
                                                chown: flags["chown"] ?? nil, chmod: flags["chmod"] ?? nil))
        default:
            throw fail("unknown instruction \"\(keyword)\"")
        }
        return LocatedInstruction(instruction: instruction, location: location, endLine: line.endLine, original: text)
    }

    /// Leading `--name=value` / `--name` flags, as BuildKit's BFlags reads them.
    private func takeFlags(_ rest: inout String, _ location: SourceLocation) throws -> [String: String?] {
        var flags: [String: String?] = [:]
        while rest.hasPrefix("--") {
            let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            let flag = rest[rest.index(rest.startIndex, offsetBy: 2)..<end]
            if flag.isEmpty { break }
            let name: String, value: String?
            if let eq = flag.firstIndex(of: "=") {
                name = String(flag[..<eq]).lowercased()
                value = String(flag[flag.index(after: eq)...])
            } else {
                name = String(flag).lowercased()
                value = nil
            }
            if flags[name] != nil {
                throw DockerfileError(location, "--\(name) is given twice")
            }
            flags[name] = value
            rest = rest[end...].trimmingCharacters()
        }
        return flags
    }

    private func commandLine(_ rest: String) -> CommandLine {
        if rest.hasPrefix("["),
           let data = rest.data(using: .utf8),
           let list = try? JSONSerialization.jsonObject(with: data) as? [Any],
           let strings = list as? [String], strings.count == list.count {
            return .exec(strings)
        }
        return .shell(rest)
    }

    /// ENV/LABEL: `k=v k2="v 2"`, or the legacy `k value with spaces`.
    private func keyValues(_ rest: String, _ keyword: String, _ location: SourceLocation) throws -> [KeyValue] {
        let parts = words.split(rest)
        guard let first = parts.first else { return [] }
        if !first.contains("=") {
            let value = rest.dropFirst(first.count).trimmingCharacters()
            if value.isEmpty {
                throw DockerfileError(location, "\(keyword.uppercased()) \(first) has no value: write \(keyword.uppercased()) \(first)=value")
            }
            return [KeyValue(key: first, value: value)]
        }
        return try parts.map { word in
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw DockerfileError(location, "\(keyword.uppercased()) \"\(word)\" is not key=value; every pair needs a key and an =")
            }
            return KeyValue(key: String(word[..<eq]), value: String(word[word.index(after: eq)...]))
        }
    }
}
