/// The stages of a Dockerfile that a build of `target` needs, in the order they must be built.
/// Stages nothing needs are left out, so their base images are never resolved.
public struct BuildGraph: Sendable {
    public var stages: [Stage]
    /// Indexes into `stages` of the stages to build, dependencies first; the last is the target.
    public var order: [Int]
    /// Global ARGs (before the first FROM) with their values after `--build-arg`.
    public var globalArgs: [String: String]
    /// The escape character (`# escape=` directive), which word expansion honours too.
    public var escape: Character

    public var target: Stage { stages[order.last!] }

    /// What a stage refers to with `FROM x` or `COPY --from=x`.
    public enum Source: Sendable, Equatable {
        case stage(Int)
        case image(String)
        case scratch
    }

    public init(_ dockerfile: Dockerfile, target: String? = nil, buildArgs: [String: String] = [:]) throws {
        var globals: [String: String] = [:]
        var stages: [Stage] = []
        let escape: Character = dockerfile.directives["escape"].flatMap(\.first) ?? "\\"
        let words = ShellWords(escape: escape)
        for located in dockerfile.instructions {
            switch located.instruction {
            case let .from(from):
                let base: String
                do { base = try words.expand(from.image, globals) } catch {
                    throw DockerfileError(located.location, "\(error)")
                }
                if base.isEmpty {
                    throw DockerfileError(located.location, "FROM \(from.image) expands to an empty image name; set the ARG it uses with --build-arg or give it a default")
                }
                var name: String?
                if let raw = from.stageName {
                    name = raw.lowercased()
                    guard BuildGraph.isValidStageName(name!) else {
                        throw DockerfileError(located.location, "invalid stage name \"\(raw)\": use letters, digits, '-', '_' and '.', starting with a letter")
                    }
                    if stages.contains(where: { $0.name == name }) {
                        throw DockerfileError(located.location, "duplicate stage name \"\(raw)\"; each AS name must be unique")
                    }
                }
                let platform = try from.platform.map { try words.expand($0, globals) }
                stages.append(Stage(index: stages.count, name: name, base: base, platform: platform, from: located, instructions: []))
            case let .arg(declarations) where stages.isEmpty:
                for d in declarations {
                    globals[d.name] = buildArgs[d.name] ?? (try? words.expand(d.defaultValue ?? "", globals)) ?? ""
                    if d.defaultValue == nil, buildArgs[d.name] == nil { globals.removeValue(forKey: d.name) }
                }
            default:
                guard !stages.isEmpty else {
                    throw DockerfileError(located.location, "\(located.original.split(separator: " ").first.map(String.init)?.uppercased() ?? "") comes before the first FROM; only ARG may come before FROM")
                }
                stages[stages.count - 1].instructions.append(located)
            }
        }
        guard !stages.isEmpty else {
            throw DockerfileError(SourceLocation(file: dockerfile.file, line: 1, column: 1), "the Dockerfile has no FROM instruction")
        }
        self.stages = stages
        self.escape = escape
        globalArgs = globals

        var targetIndex = stages.count - 1
        if let target {
            guard let found = stages.firstIndex(where: { $0.name == target.lowercased() }) else {
                let names = stages.compactMap(\.name)
                throw BuildGraphError.unknownTarget(target, available: names)
            }
            targetIndex = found
        }
        var order: [Int] = []
        var visiting: Set<Int> = []
        func visit(_ i: Int) throws {
            if order.contains(i) { return }
            visiting.insert(i)
            for dependency in try BuildGraph.dependencies(of: stages[i], in: stages) {
                guard !visiting.contains(dependency) else {
                    throw DockerfileError(stages[i].from.location, "stage \(stages[i].displayName) depends on itself through \(stages[dependency].displayName)")
                }
                try visit(dependency)
            }
            visiting.remove(i)
            order.append(i)
        }
        try visit(targetIndex)
        self.order = order
    }

    /// What `reference` (a FROM image or a `--from` value) names, as seen from stage `current`.
    public static func source(_ reference: String, from current: Int, in stages: [Stage], location: SourceLocation) throws -> Source {
        let lower = reference.lowercased()
        if lower == "scratch" { return .scratch }
        if let i = stages.firstIndex(where: { $0.name == lower }) {
            guard i < current else {
                throw DockerfileError(location, i == current
                    ? "stage \"\(reference)\" refers to itself"
                    : "stage \"\(reference)\" is defined later in the file; a stage can only use stages above it")
            }
            return .stage(i)
        }
        if let n = Int(reference), n >= 0 {
            guard n < current else {
                throw DockerfileError(location, "stage index \(n) is not an earlier stage (this is stage \(current); indexes start at 0)")
            }
            return .stage(n)
        }
        return .image(reference)
    }

    static func dependencies(of stage: Stage, in stages: [Stage]) throws -> [Int] {
        var result: [Int] = []
        if case let .stage(i) = try source(stage.base, from: stage.index, in: stages, location: stage.from.location) {
            result.append(i)
        }
        for located in stage.instructions {
            if case let .copy(copy) = located.instruction, let from = copy.from,
               case let .stage(i) = try source(from, from: stage.index, in: stages, location: located.location) {
                result.append(i)
            }
        }
        return result
    }

    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

public enum BuildGraphError: Error, CustomStringConvertible {
    case unknownTarget(String, available: [String])

    public var description: String {
        switch self {
        case let .unknownTarget(t, available):
            let close = available.min { BuildGraph.editDistance($0, t) < BuildGraph.editDistance($1, t) }
            let hint = close.map { BuildGraph.editDistance($0, t) <= 2 ? " (did you mean \"\($0)\"?)" : "" } ?? ""
            return "target stage \"\(t)\" could not be found\(hint); stages with names: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        }
    }
}

extension BuildGraph {
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
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
}
