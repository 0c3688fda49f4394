import Foundation
import HoistTestSupport
import Testing

@Suite struct DebugParseCommandTests {
    @Test func dumpPrintsBuildKitsForm() throws {
        let dir = try TempDirectory("hoist-debug")
        let file = try dir.file("Dockerfile", "FROM a AS b\nCOPY --from=b x /y\nONBUILD RUN echo hi\n")
        let result = try Shell.run([Paths.hoist, "debug", "parse", "--dump", file])
        #expect(result.status == 0)
        #expect(result.stdout == "(from \"a\" \"AS\" \"b\")\n(copy [\"--from=b\"] \"x\" \"/y\")\n(onbuild (run \"echo hi\"))\n")
    }

    @Test func severalErrorsAreAllReportedWithTheirLines() throws {
        let result = try Shell.run([Paths.hoist, "debug", "parse", "-"], stdin: "FROM a\nFOO x\nENV A\nCOPY --frm=a b c\n")
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.map { $0.split(separator: ":")[2] } == ["2", "3", "4"], "\(result.stderr)")
        #expect(result.stderr.contains("    3 | ENV A"))
    }

    @Test func planListsTheStagesTheTargetNeeds() throws {
        let result = try Shell.run([Paths.hoist, "debug", "parse", "--plan", "--target", "app", "-"],
                                   stdin: "FROM a AS deps\nFROM b AS unused\nFROM c AS app\nCOPY --from=deps /x /x\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[1]) } == ["deps", "app"])
    }
}
