import Testing
@testable import HoistDockerfile

/// ARG and ENV scoping as BuildKit has it, read back through the target stage's LABELs.
struct ArgScopeTableTests {
    static let automatic = ["TARGETPLATFORM": "linux/arm64", "TARGETOS": "linux", "TARGETARCH": "arm64", "TARGETVARIANT": "",
                            "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": ""]

    /// The target stage's labels, with ARG and ENV applied in order as a build applies them.
    static func labels(_ text: String, buildArgs: [String: String] = [:], imageEnv: [String] = []) throws -> [String: String] {
        let graph = try BuildGraph(try Dockerfile(parsing: text), buildArgs: buildArgs, automaticArgs: automatic)
        var variables = StageVariables(imageEnv: imageEnv, buildArgs: buildArgs, globalArgs: graph.globalArgs, automaticArgs: graph.automaticArgs)
        let words = ShellWords(escape: graph.escape)
        var labels: [String: String] = [:]
        for located in graph.target.instructions {
            let env = variables.expansionEnvironment
            switch located.instruction {
            case let .arg(declarations): for d in declarations { try variables.declare(d, words: words) }
            case let .env(pairs):
                let expanded = try pairs.map { (try words.expand($0.key, env), try words.expand($0.value, env)) }
                for (k, v) in expanded { variables.setEnv(k, v) }
            case let .label(pairs): for p in pairs { labels[try words.expand(p.key, env)] = try words.expand(p.value, env) }
            default: break
            }
        }
        return labels
    }

    static let cases: [(String, [String: String], String)] = [
        ("ARG V=1\nFROM a\nLABEL v=$V", [:], ""),
        ("ARG V=1\nFROM a\nARG V\nLABEL v=$V", [:], "1"),
        ("ARG V=1\nFROM a\nARG V\nLABEL v=$V", ["V": "2"], "2"),
        ("FROM a\nARG V=1\nLABEL v=$V", ["V": "3"], "3"),
        ("FROM a\nARG V=1\nLABEL v=$V", [:], "1"),
        ("FROM a\nENV E=x\nARG V=${E}y\nLABEL v=$V", [:], "xy"),
        ("FROM a\nARG X=a\nENV X=b\nLABEL v=$X", [:], "b"),
        ("FROM a\nENV X=b\nARG X=a\nLABEL v=$X", ["X": "c"], "b"),
        ("FROM a\nARG X\nLABEL v=${X-unset}", [:], "unset"),
        ("FROM a\nARG X\nLABEL v=${X-unset}", ["X": ""], ""),
        ("FROM a\nARG X\nLABEL v=${X:-dflt}", ["X": ""], "dflt"),
        ("FROM a\nLABEL v=$TARGETOS", [:], ""),
        ("FROM a\nARG TARGETOS TARGETARCH\nLABEL v=$TARGETOS/$TARGETARCH", [:], "linux/arm64"),
        ("FROM a\nARG BUILDPLATFORM\nLABEL v=$BUILDPLATFORM", [:], "linux/amd64"),
        ("FROM a AS final\nARG TARGETSTAGE\nLABEL v=$TARGETSTAGE", [:], "final"),
        ("FROM a\nENV A=1\nENV A=2 B=$A\nLABEL v=$B", [:], "1"),
        ("ARG A=x\nARG B=${A}y\nFROM a\nARG B\nLABEL v=$B", [:], "xy"),
        ("ARG A=x\nARG B=${A}y\nFROM a\nARG B\nLABEL v=$B", ["A": "z"], "zy"),
        ("FROM a\nLABEL v=$PATH", [:], "/bin"),
        ("FROM a\nARG PATH=/opt\nLABEL v=$PATH", [:], "/bin"),
        ("FROM a AS one\nARG V=1\nFROM a\nLABEL v=${V:-none}", [:], "none"),
    ]

    @Test(arguments: cases)
    func argumentsAreScopedLikeBuildKit(text: String, buildArgs: [String: String], expected: String) throws {
        #expect(try Self.labels(text, buildArgs: buildArgs, imageEnv: ["PATH=/bin"])["v"] == expected)
    }

    @Test func automaticArgsAreUsableInFromWithoutDeclaring() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: "FROM --platform=$BUILDPLATFORM golang AS build\nFROM busybox:$TARGETARCH\n"), automaticArgs: Self.automatic)
        #expect(graph.stages[0].platform == "linux/amd64")
        #expect(graph.stages[1].base == "busybox:arm64")
    }

    @Test func unusedBuildArgsAreListedButProxiesAreNot() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: "ARG USED\nFROM a\nARG ALSO\nFROM b AS other\nARG ELSEWHERE\nFROM a\n"),
                                   buildArgs: ["USED": "1", "ALSO": "1", "ELSEWHERE": "1", "TYPO": "1", "HTTP_PROXY": "p", "SOURCE_DATE_EPOCH": "0"])
        #expect(graph.unusedBuildArgs == ["ALSO", "ELSEWHERE", "TYPO"], "stages the target does not need do not consume their ARGs")
    }

    /// `FROM <stage>` starts with the ARGs that stage declared, through any number of stages, as in
    /// BuildKit; a bare `ARG NAME` there keeps the inherited value unless a build arg gives one.
    @Test(arguments: [([:], "joe-g-l", "joe"), (["NAME": "ann"], "ann-g-l", "ann")])
    func aStageBuiltFromAStageInheritsItsArgs(buildArgs: [String: String], expected: String, inMiddle: String) throws {
        let text = "ARG G=g\nFROM a AS base\nARG NAME=joe\nARG G\nARG EMPTY\nFROM base AS mid\nLABEL m=$NAME\nARG LATE=l\n"
            + "FROM mid\nARG NAME\nLABEL v=$NAME-$G-$LATE\n"
        let graph = try BuildGraph(try Dockerfile(parsing: text), buildArgs: buildArgs, automaticArgs: Self.automatic)
        let words = ShellWords(escape: graph.escape)
        var declared: [Int: DeclaredArgs] = [:]
        var labels: [String: String] = [:]
        for i in graph.order {
            let stage = graph.stages[i]
            var inherited = DeclaredArgs()
            if case let .stage(base) = try BuildGraph.source(stage.base, from: i, in: graph.stages, location: stage.from.location, byIndex: false) {
                inherited = declared[base]!
            }
            var variables = StageVariables(imageEnv: [], buildArgs: buildArgs, globalArgs: graph.globalArgs,
                                           automaticArgs: graph.automaticArgs, inherited: inherited)
            for located in stage.instructions {
                switch located.instruction {
                case let .arg(list): for d in list { try variables.declare(d, words: words) }
                case let .label(pairs): for p in pairs { labels[p.key] = try words.expand(p.value, variables.expansionEnvironment) }
                default: break
                }
            }
            declared[i] = variables.declared
        }
        #expect(labels["v"] == expected)
        #expect(labels["m"] == inMiddle)
        #expect(declared[graph.order.last!]?.names == ["NAME", "G", "EMPTY", "LATE"], "declaration order, each once, for RUN's history")
    }

    @Test func anArgDeclarationReportsTheValueItTook() throws {
        var variables = StageVariables(imageEnv: [], buildArgs: ["B": "given"], globalArgs: ["G": "global"], automaticArgs: [:])
        let words = ShellWords(escape: "\\")
        #expect(try variables.declare(ArgDeclaration(name: "A", defaultValue: "x${B}"), words: words) == "x")
        #expect(try variables.declare(ArgDeclaration(name: "B", defaultValue: "dflt"), words: words) == "given")
        #expect(try variables.declare(ArgDeclaration(name: "G", defaultValue: nil), words: words) == "global")
        #expect(try variables.declare(ArgDeclaration(name: "N", defaultValue: nil), words: words) == nil)
    }
}
