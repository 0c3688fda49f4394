/// The variables an instruction in a stage can expand, by BuildKit's rules: the base image's Env,
/// the stage's ARGs (a build arg wins over the ARG's default; a bare `ARG X` takes the global
/// ARG's or the automatic platform ARG's value) and ENV, which always wins over ARG. A stage built
/// `FROM` another stage starts with that stage's ARG values (`inheritedArgs`), as in BuildKit.
public struct StageVariables: Sendable {
    public private(set) var args: [String: String] = [:]
    /// Names of the ARGs declared so far, inherited ones first, each once, in declaration order
    /// (BuildKit's `d.buildArgs`, which RUN's `|N NAME=value` history lists).
    public private(set) var declaredNames: [String] = []
    public private(set) var env: [String: String] = [:]
    let buildArgs: [String: String]
    let globalArgs: [String: String]
    let automaticArgs: [String: String]

    public init(imageEnv: [String], buildArgs: [String: String], globalArgs: [String: String], automaticArgs: [String: String],
                inherited: DeclaredArgs = DeclaredArgs()) {
        args = inherited.values
        declaredNames = inherited.names
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

    /// `ARG name[=default]`. Returns the value this declaration gives, nil when it gives none
    /// (BuildKit's history then records the bare name: `ARG FILE`, else `ARG FILE=b`).
    @discardableResult
    public mutating func declare(_ declaration: ArgDeclaration, words: ShellWords) throws -> String? {
        let value: String?
        if let given = buildArgs[declaration.name] {
            value = given
        } else if let fallback = declaration.defaultValue {
            value = try words.expand(fallback, expansionEnvironment)
        } else {
            value = globalArgs[declaration.name] ?? automaticArgs[declaration.name]
        }
        if let value { args[declaration.name] = value }
        if !declaredNames.contains(declaration.name) { declaredNames.append(declaration.name) }
        return value
    }

    /// What a stage built `FROM` this one inherits.
    public var declared: DeclaredArgs { DeclaredArgs(names: declaredNames, values: args) }

    /// `ENV key=value`, value already expanded.
    public mutating func setEnv(_ key: String, _ value: String) { env[key] = value }
}

/// The ARGs a stage declared, in declaration order (`names`), and the values they hold (`values`;
/// an ARG without one is in `names` only). A stage built `FROM` another starts with its ARGs, as
/// BuildKit's dispatch state carries them.
public struct DeclaredArgs: Sendable, Equatable {
    public var names: [String]
    public var values: [String: String]

    public init(names: [String] = [], values: [String: String] = [:]) {
        self.names = names
        self.values = values
    }
}
