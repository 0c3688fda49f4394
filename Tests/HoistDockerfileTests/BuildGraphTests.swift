import Testing
@testable import HoistDockerfile

struct BuildGraphTests {
    static let text = """
        ARG BASE=busybox
        ARG TAG
        FROM ${BASE}:${TAG:-latest} AS builder
        COPY a /a
        FROM alpine AS unused
        FROM scratch AS final
        COPY --from=builder /a /a
        COPY --from=0 /a /b
        COPY --from=nginx:latest /x /x

        """

    static let orders: [(String, String?, [Int])] = [
        (text, nil, [0, 2]),
        (text, "UNUSED", [1]),
        (text, "builder", [0]),
        ("FROM a AS Base\nFROM base AS child\nFROM child\n", nil, [0, 1, 2]),
        ("FROM a AS one\nFROM b AS two\nFROM c\nCOPY --from=TWO /x /x\nCOPY --from=0 /y /y\n", nil, [1, 0, 2]),
        ("FROM a AS tools\nFROM b\nRUN --mount=from=tools,target=/t ls /t\n", nil, [0, 1]),
        ("FROM a AS assets\nFROM b AS base\nONBUILD COPY --from=assets /x /x\nFROM base\n", nil, [1, 0, 2]),
        ("FROM a AS assets\nFROM b AS base\nONBUILD COPY --from=assets /x /x\nFROM c\nCOPY --from=base /y /y\n", nil, [1, 2]),
        ("FROM scratch\nCOPY --from=busybox /bin/sh /sh\n", nil, [0]),
    ]

    @Test(arguments: orders)
    func onlyTheStagesTheTargetNeedsAreBuiltInOrder(text: String, target: String?, order: [Int]) throws {
        #expect(try BuildGraph(try Dockerfile(parsing: text), target: target).order == order)
    }

    @Test func globalArgsAndBuildArgsExpandInFrom() throws {
        #expect(try BuildGraph(try Dockerfile(parsing: Self.text)).stages[0].base == "busybox:latest")
        let graph = try BuildGraph(try Dockerfile(parsing: Self.text), buildArgs: ["BASE": "debian", "TAG": "12"])
        #expect(graph.stages[0].base == "debian:12")
    }

    @Test func stageNamesAreLowercasedAndScratchIsKnown() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: "FROM scratch AS Empty\n"))
        #expect(graph.stages[0].name == "empty")
        #expect(try BuildGraph.source("SCRATCH", from: 0, in: graph.stages, location: graph.stages[0].from.location) == .scratch)
    }

    @Test func backtickEscapeKeepsBackslashesLiteralInExpansion() throws {
        let withBacktick = try BuildGraph(try Dockerfile(parsing: "# escape=`\nARG P=C:\\dir\nFROM base\n"))
        #expect(withBacktick.globalArgs["P"] == "C:\\dir")
        let withBackslash = try BuildGraph(try Dockerfile(parsing: "ARG P=C:\\dir\nFROM base\n"))
        #expect(withBackslash.globalArgs["P"] == "C:dir")
    }
}
