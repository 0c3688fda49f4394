/// One Dockerfile instruction, with arguments kept as written: variables are expanded later,
/// when the stage's environment (base image Env, ARG, ENV) is known.
public enum Instruction: Sendable, Equatable {
    case from(FromInstruction)
    case arg([ArgDeclaration])
    case env([KeyValue])
    case label([KeyValue])
    case workdir(String)
    case user(String)
    case expose([String])
    case cmd(CommandLine)
    case entrypoint(CommandLine)
    case copy(CopyInstruction)
    /// Parsed so the planner can report it; executing it is not supported yet.
    case run(String)
}

public struct FromInstruction: Sendable, Equatable {
    public var image: String
    public var platform: String?
    public var stageName: String?
}

public struct ArgDeclaration: Sendable, Equatable {
    public var name: String
    public var defaultValue: String?
}

/// `key=value` as written (both still to be expanded).
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
}

/// CMD/ENTRYPOINT/RUN: JSON exec form or shell form.
public enum CommandLine: Sendable, Equatable {
    case exec([String])
    case shell(String)
}

public struct CopyInstruction: Sendable, Equatable {
    public var sources: [String]
    public var destination: String
    public var from: String?
    public var chown: String?
    public var chmod: String?
}

/// An instruction and where it came from.
public struct LocatedInstruction: Sendable, Equatable {
    public var instruction: Instruction
    public var location: SourceLocation
    public var endLine: Int
    /// The instruction as written (continuations joined), for history and errors.
    public var original: String
}
