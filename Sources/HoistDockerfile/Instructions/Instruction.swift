/// One Dockerfile instruction, with arguments kept as written: variables are expanded later,
/// when the stage's environment (base image Env, ARG, ENV) is known.
public indirect enum Instruction: Sendable, Equatable {
    case from(FromInstruction)
    case arg([ArgDeclaration])
    case env([KeyValue])
    case label([KeyValue])
    case maintainer(String)
    case workdir(String)
    case user(String)
    case expose([String])
    case volume([String])
    case stopSignal(String)
    case shell([String])
    case healthcheck(Healthcheck)
    case cmd(CommandLine)
    case entrypoint(CommandLine)
    case copy(CopyInstruction)
    case add(AddInstruction)
    case run(RunInstruction)
    /// A trigger recorded in the image and run by the stages built FROM it.
    case onbuild(OnBuildTrigger)

    /// The instruction's keyword in capitals, for messages.
    public var keyword: String {
        switch self {
        case .from: "FROM"
        case .arg: "ARG"
        case .env: "ENV"
        case .label: "LABEL"
        case .maintainer: "MAINTAINER"
        case .workdir: "WORKDIR"
        case .user: "USER"
        case .expose: "EXPOSE"
        case .volume: "VOLUME"
        case .stopSignal: "STOPSIGNAL"
        case .shell: "SHELL"
        case .healthcheck: "HEALTHCHECK"
        case .cmd: "CMD"
        case .entrypoint: "ENTRYPOINT"
        case .copy: "COPY"
        case .add: "ADD"
        case .run: "RUN"
        case .onbuild: "ONBUILD"
        }
    }
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

/// CMD/ENTRYPOINT/RUN/HEALTHCHECK: JSON exec form or shell form.
public enum CommandLine: Sendable, Equatable {
    case exec([String])
    case shell(String)
}

/// What COPY and ADD share (BuildKit's SourcesAndDest and their common flags): what is copied,
/// where to, owned and moded how, and the inline sources.
public struct CopySpec: Sendable, Equatable {
    /// Paths, wildcards, URLs (ADD) and `<<NAME` heredoc markers, as written.
    public var sources: [String]
    public var destination: String
    public var chown: String?
    public var chmod: String?
    public var link = false
    public var excludes: [String] = []
    /// Inline sources: `COPY <<EOF /dest`.
    public var heredocs: [Heredoc] = []

    public init(sources: [String], destination: String, chown: String? = nil, chmod: String? = nil) {
        self.sources = sources
        self.destination = destination
        self.chown = chown
        self.chmod = chmod
    }
}

public struct CopyInstruction: Sendable, Equatable {
    public var spec: CopySpec
    public var from: String?
    public var parents = false

    public init(_ spec: CopySpec, from: String? = nil) {
        self.spec = spec
        self.from = from
    }
}

public struct AddInstruction: Sendable, Equatable {
    public var spec: CopySpec
    public var checksum: String?
    /// `--keep-git-dir`: nil when not given (a git URL's `?keep-git-dir` may then decide).
    public var keepGitDir: Bool?
    /// `--unpack`: nil leaves BuildKit's default (unpack local archives, not remote ones).
    public var unpack: Bool?

    public init(_ spec: CopySpec, checksum: String? = nil, keepGitDir: Bool? = nil, unpack: Bool? = nil) {
        self.spec = spec
        self.checksum = checksum
        self.keepGitDir = keepGitDir
        self.unpack = unpack
    }
}

public struct RunInstruction: Sendable, Equatable {
    public var command: CommandLine
    public var mounts: [MountSpec] = []
    /// `--network=default|none|host`.
    public var network: String?
    /// `--security=sandbox|insecure`.
    public var security: String?
    public var heredocs: [Heredoc] = []
}

public enum Healthcheck: Sendable, Equatable {
    /// `HEALTHCHECK NONE`: disable any inherited check.
    case none
    case check(test: [String], options: HealthcheckOptions)
}

/// Durations in nanoseconds, as the image config stores them; nil when not given.
public struct HealthcheckOptions: Sendable, Equatable {
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?
}

public struct OnBuildTrigger: Sendable, Equatable {
    /// The trigger as written after ONBUILD (stored in the image config's OnBuild).
    public var expression: String
    public var instruction: Instruction
}

/// An instruction and where it came from.
public struct LocatedInstruction: Sendable, Equatable {
    public var instruction: Instruction
    public var location: SourceLocation
    public var endLine: Int
    /// The instruction as written (continuations joined), for history and errors.
    public var original: String
}

extension Instruction {
    /// Names this instruction takes content from: `COPY --from` and `RUN --mount from=`.
    public var stageReferences: [String] {
        switch self {
        case let .copy(copy): copy.from.map { [$0] } ?? []
        case let .run(run): run.mounts.compactMap(\.from)
        default: []
        }
    }
}

extension LocatedInstruction {
    /// ARG names this instruction declares.
    var declaredArgs: [String] {
        if case let .arg(declarations) = instruction { return declarations.map(\.name) }
        return []
    }
}
