import HoistDockerfile
import Testing

/// BuildKit 0.25's lint rules as `Dockerfile` and `LintReport` report them: names, words, lines,
/// and the order `--call=check,format=json` shows. Texts from frontend/dockerfile/linter/ruleset.go.
@Suite struct LintRuleTests {
    func messages(_ text: String) throws -> [String] {
        try LintReport(parsing: text).warnings.map { "\($0.location.line): \($0.message)" }
    }

    @Test(arguments: [
        ("FROM a AS Build\n", "1: StageNameCasing: Stage name 'Build' should be lowercase"),
        ("FROM a as b\n", "1: FromAsCasing: 'as' and 'FROM' keywords' casing do not match"),
        ("FROM a AS b\nFROM c AS b\n", "2: DuplicateStageName: Duplicate stage name \"b\", stage names should be unique"),
        ("FROM a AS scratch\n", "1: ReservedStageName: Stage name should not use the same name as reserved stage \"scratch\""),
        ("FROM a\nrun x\nCMD [\"y\"]\n", "2: ConsistentInstructionCasing: Command 'run' should match the case of the command majority (uppercase)"),
        ("FROM a\nMAINTAINER me\n", "2: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"),
        ("FROM a\nLABEL a b\n", "2: LegacyKeyValueFormat: \"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format"),
        ("FROM a\nENV GITHUB_TOKEN=x\n", "2: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV \"GITHUB_TOKEN\")"),
        ("FROM a\nWORKDIR src\n", "2: WorkdirRelativePath: Relative workdir \"src\" can have unexpected results if the base image changes"),
        ("FROM a\nENTRYPOINT run\n", "2: JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals"),
        ("FROM a\nHEALTHCHECK NONE\nHEALTHCHECK NONE\n", "2: MultipleInstructionsDisallowed: Multiple HEALTHCHECK instructions should not be used in the same stage because only the last one will be used"),
        ("ARG VERSION\nFROM a$VERSON\n", "2: UndefinedArgInFrom: FROM argument 'VERSON' is not declared (did you mean VERSION?)"),
        ("FROM --platform=${TARGETPLATFORM} a\n", "1: RedundantTargetPlatform: Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior"),
        ("FROM --platform=linux/arm64 a AS b\n", "1: FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value \"linux/arm64\""),
        ("ARG IMAGE=\nFROM ${IMAGE}\n", "2: InvalidDefaultArgInFrom: Default value for ARG ${IMAGE} results in empty or invalid base image name"),
        ("FROM a\nEXPOSE 53/UDP\n", "2: ExposeProtoCasing: Defined protocol '53/UDP' in EXPOSE instruction should be lowercase"),
        ("FROM a\nEXPOSE 80:80\n", "2: ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port mapping, found '80:80'"),
        ("FROM a\nRUN a \\\n\n  b\n", "4: NoEmptyContinuation: Empty continuation line"),
        ("# check=experimental=all\n# the base\nFROM a AS base\n", "3: InvalidDefinitionDescription: Comment for FROM should follow the format: `# base <description>`"),
    ])
    func eachRuleSaysWhatBuildKitSays(_ text: String, _ message: String) throws {
        #expect(try messages(text) == [message])
    }

    @Test func cleanDockerfilesSayNothing() throws {
        let text = "ARG BASE=busybox\n# app the application\nFROM ${BASE} AS app\n# PORT where it listens\nARG PORT=80\nWORKDIR /srv\nWORKDIR data\n"
            + "ENV PUBLIC_KEY=abc\nEXPOSE 80/tcp\nSHELL [\"/bin/sh\", \"-c\"]\nCMD serve\n"
        #expect(try messages(text) == [])
    }

    @Test func aShellMakesShellFormCommandsFineInTheStagesBuiltOnIt() throws {
        #expect(try messages("FROM a AS base\nSHELL [\"/bin/bash\", \"-c\"]\nFROM base\nCMD run\nFROM a\nCMD run\n")
            == ["6: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"])
    }

    @Test func warningsComeInBuildKitsOrderAndTheTextSortsThemByLine() throws {
        let report = try LintReport(parsing: "FROM a AS b\nrun x\nfrom b as Final\n")
        #expect(report.warnings.map(\.rule.name) == ["StageNameCasing", "ConsistentInstructionCasing"])
        let mixed = try LintReport(parsing: "FROM a\nENV A b\nMAINTAINER me\n")
        #expect(mixed.warnings.map(\.rule.name) == ["MaintainerDeprecated", "LegacyKeyValueFormat"], "parse-time rules come first")
        #expect(mixed.warningsByLine.map(\.rule.name) == ["LegacyKeyValueFormat", "MaintainerDeprecated"])
    }

    @Test func anOnbuildTriggerIsNotLinted() throws {
        #expect(try messages("FROM a\nONBUILD ENV A b\n") == [])
    }

    @Test func experimentalRulesRunOnlyWhenAskedAndSkipDoesNotTouchThem() throws {
        let text = "# the base\nFROM a AS base\n"
        #expect(try messages(text) == [])
        #expect(try messages("# check=experimental=InvalidDefinitionDescription\n" + text).count == 1)
        #expect(try messages("# check=skip=all;experimental=all\n" + text).count == 1)
    }

    @Test func checkErrorTrueGivesBuildKitsViolationAndFailsTheBuildParse() throws {
        let text = "# check=error=true\nFROM a AS A\nCMD x\nCMD y\n"
        let report = try LintReport(parsing: text)
        #expect(report.violation?.message == "lint violation found for rules: StageNameCasing, JSONArgsRecommended, MultipleInstructionsDisallowed")
        #expect(throws: DockerfileErrors.self) { try Dockerfile(parsing: text) }
        #expect(try LintReport(parsing: "# check=error=true\nFROM a\n").violation == nil)
    }

    @Test(arguments: ["skip", "error=maybe", "colour=red"])
    func aMalformedCheckDirectiveIsRefused(_ value: String) throws {
        #expect(throws: DockerfileError.self) { try Dockerfile(parsing: "# check=\(value)\nFROM a\n") }
    }
}
