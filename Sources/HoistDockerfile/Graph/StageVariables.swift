/// The variables an instruction in a stage can expand, by BuildKit's rules: the base image's Env,
/// the stage's ARGs (a build arg wins over the ARG's default; a bare `ARG X` takes the global
/// ARG's or the automatic platform ARG's value) and ENV, which always wins over ARG.
public struct StageVariables: Sendable {
    public private(set) var args: [String: String] = [:]
    public private(set) var env: [String: String] = [:]
    let buildArgs: [String: String]
    let globalArgs: [String: String]
    let automaticArgs: [String: String]

    public init(imageEnv: [String], buildArgs: [String: String], globalArgs: [String: String], automaticArgs: [String: String]) {
        for entry in imageEnv {
            let kv = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            env[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        self.buildArgs = buildArgs
        self.globalArgs = globalArgs
        self.automaticArgs = automaticArgs
    }

    /// What `$NAME` sees.
    public var expansionEnvironment: [String: String] { args.merging(env) { _, envValue in envValue } }

    /// `ARG name[=default]`.
    public mutating func declare(_ declaration: ArgDeclaration, words: ShellWords) throws {
        if let value = buildArgs[declaration.name] {
            args[declaration.name] = value
        } else if let value = declaration.defaultValue {
            args[declaration.name] = try words.expand(value, expansionEnvironment)
        } else if let value = globalArgs[declaration.name] ?? automaticArgs[declaration.name] {
            args[declaration.name] = value
        }
    }

    /// `ENV key=value`, value already expanded.
    public mutating func setEnv(_ key: String, _ value: String) { env[key] = value }
}
