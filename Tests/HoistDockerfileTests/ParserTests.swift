import Testing
@testable import HoistDockerfile

struct ParserTests {
    func parse(_ text: String) throws -> [Instruction] {
        try Dockerfile(parsing: text).instructions.map(\.instruction)
    }

    @Test func continuationsJoinAndSkipCommentsAndBlankLines() throws {
        let df = try Dockerfile(parsing: "FROM busybox\nENV A=1 \\\n# a comment\n\n    B=2\nCMD [\"a\"]\n")
        #expect(df.instructions[1].instruction == .env([KeyValue(key: "A", value: "1"), KeyValue(key: "B", value: "2")]))
        #expect(df.instructions[1].location.line == 2)
        #expect(df.instructions[1].endLine == 5)
        #expect(df.instructions[2].location.line == 6)
    }

    @Test func escapeDirectiveSwitchesToBacktick() throws {
        let df = try Dockerfile(parsing: "# escape=`\nFROM busybox\nLABEL a=1 `\n  b=2\n")
        #expect(df.directives["escape"] == "`")
        #expect(df.instructions[1].instruction == .label([KeyValue(key: "a", value: "1"), KeyValue(key: "b", value: "2")]))
    }

    @Test func jsonAndShellForms() throws {
        let i = try parse("FROM a\nCMD [\"cat\", \"/app.txt\"]\nENTRYPOINT echo hi\nCMD [not json\n")
        #expect(i[1] == .cmd(.exec(["cat", "/app.txt"])))
        #expect(i[2] == .entrypoint(.shell("echo hi")))
        #expect(i[3] == .cmd(.shell("[not json")), "invalid JSON falls back to shell form as BuildKit does")
    }

    @Test func instructionNamesAreCaseInsensitive() throws {
        #expect(try parse("from busybox as Builder\ncopy a b\n")[0] == .from(FromInstruction(image: "busybox", platform: nil, stageName: "Builder")))
    }

    @Test func fromTakesPlatformAndStageName() throws {
        #expect(try parse("FROM --platform=linux/arm64 busybox:1 AS b\n")[0]
            == .from(FromInstruction(image: "busybox:1", platform: "linux/arm64", stageName: "b")))
    }

    @Test func copyFlagsAndJsonForm() throws {
        let i = try parse("FROM a\nCOPY --from=b --chown=app:staff --chmod=640 x y /dst/\nCOPY [\"with space\", \"/d\"]\n")
        #expect(i[1] == .copy(CopyInstruction(sources: ["x", "y"], destination: "/dst/", from: "b", chown: "app:staff", chmod: "640")))
        #expect(i[2] == .copy(CopyInstruction(sources: ["with space"], destination: "/d", from: nil, chown: nil, chmod: nil)))
    }

    @Test func legacyEnvFormTakesTheRestOfTheLine() throws {
        #expect(try parse("FROM a\nENV GREETING hello world\n")[1] == .env([KeyValue(key: "GREETING", value: "hello world")]))
    }

    @Test func argWithAndWithoutDefaults() throws {
        #expect(try parse("ARG A=1 B\nFROM a\n")[0] == .arg([ArgDeclaration(name: "A", defaultValue: "1"), ArgDeclaration(name: "B", defaultValue: nil)]))
    }

    @Test(arguments: [
        ("FROM a\nFOO bar\n", "Dockerfile:2:1: unknown instruction \"FOO\""),
        ("FROM a\nADD x y\n", "Dockerfile:2:1: ADD is not supported yet"),
        ("FROM a\nCOPY onlyone\n", "Dockerfile:2:1: COPY needs at least one source and a destination"),
        ("FROM a\nCOPY --link a b\n", "Dockerfile:2:1: --link is not supported yet"),
        ("FROM a\nCOPY --frm=x a b\n", "Dockerfile:2:1: --frm is not a flag of COPY"),
        ("FROM a\nCOPY --from=$X a b\n", "variables are not expanded in --from"),
        ("FROM a\nENV A\n", "Dockerfile:2:1: ENV A has no value"),
        ("FROM a b c\n", "Dockerfile:1:1: FROM takes an image and an optional \"AS name\""),
        ("# only a comment\n", "the Dockerfile has no instructions"),
        ("ENV A=1\nFROM a\n", "Dockerfile:1:1: ENV comes before the first FROM"),
    ])
    func badInputNamesWhereAndWhat(text: String, message: String) {
        do {
            _ = try BuildGraph(try Dockerfile(parsing: text))
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
