import Testing
@testable import HoistDockerfile

/// Every refusal names file:line:column and says what is allowed instead.
struct ErrorTableTests {
    static let cases: [(String, String)] = [
        ("FROM a\nFOO bar", "Dockerfile:2:1: unknown instruction \"FOO\" (did you mean FROM?)"),
        ("FROM a\n  CPY a b", "Dockerfile:2:3: unknown instruction \"CPY\" (did you mean COPY?)"),
        ("FROM a\nCOPY --frm=x a b", "Dockerfile:2:1: unknown flag --frm for COPY (did you mean --from?)"),
        ("FROM a\nCOPY --from=x --from=y a b", "Dockerfile:2:1: --from is given twice"),
        ("FROM a\nCOPY --from a b", "Dockerfile:2:1: --from needs a value"),
        ("FROM a\nCOPY --link=maybe a b", "Dockerfile:2:1: --link=maybe: expected true or false"),
        ("FROM a\nCOPY onlyone", "Dockerfile:2:1: COPY requires at least two arguments, but only one was provided"),
        ("FROM a\nADD onlyone", "Dockerfile:2:1: ADD requires at least two arguments"),
        ("FROM a\nCOPY --chmod=0999 a b", "Dockerfile:2:1: --chmod=0999: expected an octal mode"),
        ("FROM a\nCOPY --chmod=q+z a b", "--chmod=q+z: expected an octal mode (0755) or a symbolic one"),
        ("FROM a\nCOPY --from=$X a b", "Dockerfile:2:1: --from=$X: variables are not expanded in --from"),
        ("FROM a\nADD --checksum=md5:x a b", "Dockerfile:2:1: --checksum=md5:x: expected sha256:"),
        ("FROM a\nADD --unpack=sure a b", "--unpack=sure: expected true or false"),
        ("FROM a b c", "Dockerfile:1:1: expected 'AS' before the stage name, found \"b\""),
        ("FROM a AS", "Dockerfile:1:1: FROM requires either one or three arguments"),
        ("FROM", "Dockerfile:1:1: FROM requires either one or three arguments"),
        ("FROM --plat=x a", "Dockerfile:1:1: unknown flag --plat for FROM (did you mean --platform?)"),
        ("ARG =x\nFROM a", "Dockerfile:1:1: ARG \"=x\" has no name"),
        ("ARG\nFROM a", "Dockerfile:1:1: ARG requires at least one argument"),
        ("FROM a\nENV A", "Dockerfile:2:1: ENV A has no value: ENV must have two arguments (ENV A=value)"),
        ("FROM a\nENV =x", "Dockerfile:2:1: ENV names can not be blank"),
        ("FROM a\nLABEL a=b c", "Dockerfile:2:1: Syntax error - can't find = in \"c\". Must be of the form: name=value"),
        ("FROM a\nLABEL", "Dockerfile:2:1: LABEL requires at least one argument"),
        ("FROM a\nWORKDIR", "Dockerfile:2:1: WORKDIR requires exactly one argument"),
        ("FROM a\nUSER", "Dockerfile:2:1: USER requires exactly one argument"),
        ("FROM a\nSTOPSIGNAL", "Dockerfile:2:1: STOPSIGNAL requires exactly one argument"),
        ("FROM a\nMAINTAINER", "Dockerfile:2:1: MAINTAINER requires exactly one argument"),
        ("FROM a\nEXPOSE", "Dockerfile:2:1: EXPOSE requires at least one argument"),
        ("FROM a\nVOLUME", "Dockerfile:2:1: VOLUME requires at least one argument"),
        ("FROM a\nVOLUME [\"\"]", "Dockerfile:2:1: VOLUME specified can not be an empty string"),
        ("FROM a\nSHELL /bin/sh -c", "Dockerfile:2:1: SHELL requires the arguments to be in JSON form"),
        ("FROM a\nSHELL []", "Dockerfile:2:1: SHELL requires at least one argument"),
        ("FROM a\nWORKDIR --x /a", "Dockerfile:2:1: unknown flag --x for WORKDIR; WORKDIR takes no flags"),
        ("FROM a\nHEALTHCHECK CONNECT TCP 7000", "Dockerfile:2:1: unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"),
        ("FROM a\nHEALTHCHECK NONE x", "Dockerfile:2:1: HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nHEALTHCHECK --interval=5s NONE", "HEALTHCHECK NONE takes no arguments and no flags"),
        ("FROM a\nHEALTHCHECK CMD", "Dockerfile:2:1: missing command after HEALTHCHECK CMD"),
        ("FROM a\nHEALTHCHECK", "Dockerfile:2:1: HEALTHCHECK requires an argument"),
        ("FROM a\nHEALTHCHECK --interval=5 CMD x", "--interval=5 is not a duration"),
        ("FROM a\nHEALTHCHECK --timeout=10us CMD x", "--timeout=10us cannot be less than 1ms"),
        ("FROM a\nHEALTHCHECK --retries=-1 CMD x", "--retries=-1: expected a whole number of at least 0"),
        ("FROM a\nRUN", "Dockerfile:2:1: RUN requires at least one argument"),
        ("FROM a\nRUN --network=bridge x", "Dockerfile:2:1: --network=bridge is not supported: use default, none or host"),
        ("FROM a\nRUN --security=root x", "--security=root is not supported: use sandbox or insecure"),
        ("FROM a\nRUN --mount=type=volume,target=/x x", "unsupported mount type \"volume\""),
        ("FROM a\nRUN --mount=type=cache x", "a cache mount needs target=PATH"),
        ("FROM a\nRUN --mount=type=cache,target=/x,colour=blue x", "unexpected key \"colour\""),
        ("FROM a\nRUN --mount=type=cache,target=/x,sharing=all x", "sharing=all: use shared, private or locked"),
        ("FROM a\nRUN --mount=type=secret x", "a secret mount needs id=, target= or env="),
        ("FROM a\nONBUILD ONBUILD RUN x", "Dockerfile:2:1: chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("FROM a\nONBUILD FROM b", "Dockerfile:2:1: FROM isn't allowed as an ONBUILD trigger"),
        ("FROM a\nONBUILD", "Dockerfile:2:1: ONBUILD requires at least one argument"),
        ("FROM a\nCMD [\"a\", 1]", "Dockerfile:2:1: when using JSON array syntax, arrays must be comprised of strings only"),
        ("FROM a\nCOPY [\"a\", [\"b\"]]", "arrays must be comprised of strings only"),
        ("FROM a\nRUN <<EOF\nno end", "Dockerfile:2:1: unterminated heredoc: no line \"EOF\" ends it"),
        ("# escape=`\n# escape=\\\nFROM a", "Dockerfile:2:1: only one escape parser directive can be used"),
        ("# escape=x\nFROM a", "Dockerfile:1:1: invalid escape token 'x' does not match ` or \\"),
        ("", "Dockerfile:1:1: file with no instructions"),
        ("# just\n# comments\n", "file with no instructions"),
    ]

    @Test(arguments: cases)
    func refusalNamesTheLineAndWhatToDo(text: String, message: String) {
        do {
            _ = try Dockerfile(parsing: text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    static let graphCases: [(String, String?, String)] = [
        ("ENV A=1\nFROM a", nil, "Dockerfile:1:1: ENV comes before the first FROM; only ARG may come before FROM"),
        ("FROM a AS 1x", nil, "Dockerfile:1:1: invalid stage name \"1x\""),
        ("FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y", "x", "Dockerfile:2:1: stage \"y\" is defined later in the file"),
        ("FROM a AS x\nCOPY --from=x /a /a", nil, "Dockerfile:2:1: stage \"x\" refers to itself"),
        ("FROM a AS x\nCOPY --from=5 /a /a", nil, "Dockerfile:2:1: stage index 5 is not an earlier stage"),
        ("FROM a AS x\nFROM x AS x2\nFROM y", "x21", "target stage \"x21\" could not be found (did you mean \"x2\"?)"),
        ("ARG V\nFROM ${V}", nil, "Dockerfile:2:1: FROM ${V} expands to an empty image name"),
        ("FROM a${", nil, "Dockerfile:1:1: bad substitution: ${ must be followed by a variable name"),
        ("FROM --platform=${P:?no-platform} a", nil, "Dockerfile:1:1: FROM --platform: P: no-platform"),
    ]

    @Test(arguments: graphCases)
    func planningRefusalsNameTheLine(text: String, target: String?, message: String) {
        do {
            _ = try BuildGraph(try Dockerfile(parsing: text), target: target)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func everyErrorInAFileIsReported() throws {
        do {
            _ = try Dockerfile(parsing: "FROM a\nFOO x\nENV A\nCOPY --frm=a b c\nRUN --network=x y\n")
            Issue.record("accepted")
        } catch let errors as DockerfileErrors {
            #expect(errors.errors.map(\.location.line) == [2, 3, 4, 5])
            #expect(errors.errors[1].detailed.hasSuffix("3 | ENV A"), "the line is quoted: \(errors.errors[1].detailed)")
        }
    }

    @Test func warningsDoNotFailTheParse() throws {
        let df = try Dockerfile(parsing: "from a as Build\nMAINTAINER me\nENV A b\nCMD run it\nFROM a\n")
        let text = df.warnings.map(\.description)
        #expect(text.contains { $0.hasPrefix("Dockerfile:1: StageNameCasing") })
        #expect(text.contains { $0.hasPrefix("Dockerfile:2: MaintainerDeprecated") })
        #expect(text.contains { $0.hasPrefix("Dockerfile:3: LegacyKeyValueFormat") })
        #expect(text.contains { $0.hasPrefix("Dockerfile:4: JSONArgsRecommended") })
    }

    /// BuildKit 0.25 builds a Dockerfile with a repeated stage name (DuplicateStageName is a lint
    /// warning); FROM and --target then mean the last stage of that name above them.
    @Test func repeatedStageNamesWarnAndResolveToTheLastOneAbove() throws {
        let df = try Dockerfile(parsing: "FROM a AS Build\nFROM b AS build\nFROM build AS x\nFROM c AS build\nFROM build\n")
        #expect(df.warnings.map(\.description).filter { $0.contains("DuplicateStageName") }.count == 2, "\(df.warnings)")
        let graph = try BuildGraph(df)
        #expect(graph.stages[2].base == "build")
        #expect(try BuildGraph.source("build", from: 2, in: graph.stages, location: graph.stages[2].from.location) == .stage(1))
        #expect(try BuildGraph.source("BUILD", from: 4, in: graph.stages, location: graph.stages[4].from.location) == .stage(3))
        #expect(try BuildGraph(df, target: "build").order.last == 3)
    }

    @Test func fromANumberNamesAnImageButCopyFromANumberNamesAStage() throws {
        #expect(try BuildGraph(try Dockerfile(parsing: "FROM a AS first\nFROM 0\n")).order == [1], "FROM 0 needs no stage")
        let graph = try BuildGraph(try Dockerfile(parsing: "FROM a AS first\nFROM 0\nCOPY --from=0 /x /x\n"))
        #expect(graph.order == [0, 1], "COPY --from=0 needs stage 0")
        #expect(try BuildGraph.source("0", from: 1, in: graph.stages, location: graph.stages[1].from.location, byIndex: false) == .image("0"))
        #expect(try BuildGraph.source("0", from: 1, in: graph.stages, location: graph.stages[1].from.location) == .stage(0))
    }

    @Test func checkDirectiveSkipsRulesOrTurnsThemIntoErrors() throws {
        let skipped = try Dockerfile(parsing: "# check=skip=MaintainerDeprecated\nFROM a\nMAINTAINER me\nCMD run\n")
        #expect(skipped.warnings.map { String($0.message.prefix { $0 != ":" }) } == ["JSONArgsRecommended"])
        #expect(try Dockerfile(parsing: "# check=skip=all\nFROM a\nMAINTAINER me\n").warnings.isEmpty)
        #expect(throws: DockerfileError.self) { try Dockerfile(parsing: "# check=error=true\nFROM a\nMAINTAINER me\n") }
    }
}
