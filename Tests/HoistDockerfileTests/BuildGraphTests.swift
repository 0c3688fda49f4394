import Testing
@testable import HoistDockerfile

struct BuildGraphTests {
    let text = """
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

    @Test func onlyTheStagesTheTargetNeedsAreBuilt() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: text))
        #expect(graph.order == [0, 2])
        #expect(graph.target.name == "final")
        #expect(graph.stages[0].base == "busybox:latest")
    }

    @Test func globalArgsAndBuildArgsExpandInFrom() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: text), buildArgs: ["BASE": "debian", "TAG": "12"])
        #expect(graph.stages[0].base == "debian:12")
    }

    @Test func targetSelectsAStageCaseInsensitively() throws {
        let graph = try BuildGraph(try Dockerfile(parsing: text), target: "UNUSED")
        #expect(graph.order == [1])
    }

    @Test func unknownTargetSuggestsTheClosestName() {
        #expect(throws: BuildGraphError.self) { try BuildGraph(try Dockerfile(parsing: text), target: "finl") }
        do { _ = try BuildGraph(try Dockerfile(parsing: text), target: "finl") } catch {
            #expect("\(error)".contains("did you mean \"final\""))
        }
    }

    @Test func referencesToLaterStagesOrItselfAreRefused() {
        for bad in ["FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\n", "FROM a AS x\nCOPY --from=x /a /a\n", "FROM a AS x\nCOPY --from=3 /a /a\n"] {
            do {
                _ = try BuildGraph(try Dockerfile(parsing: bad), target: "x")
                Issue.record("accepted: \(bad)")
            } catch {
                #expect("\(error)".contains("Dockerfile:2:1"), "\(error)")
            }
        }
    }

    @Test func duplicateAndInvalidStageNamesAreRefused() {
        #expect(throws: DockerfileError.self) { try BuildGraph(try Dockerfile(parsing: "FROM a AS x\nFROM b AS X\n")) }
        #expect(throws: DockerfileError.self) { try BuildGraph(try Dockerfile(parsing: "FROM a AS 1x\n")) }
    }

    @Test func backtickEscapeKeepsBackslashesLiteralInExpansion() throws {
        let withBacktick = try BuildGraph(try Dockerfile(parsing: "# escape=`\nARG P=C:\\dir\nFROM base\n"))
        #expect(withBacktick.globalArgs["P"] == "C:\\dir")
        let withBackslash = try BuildGraph(try Dockerfile(parsing: "ARG P=C:\\dir\nFROM base\n"))
        #expect(withBackslash.globalArgs["P"] == "C:dir")
    }
}
