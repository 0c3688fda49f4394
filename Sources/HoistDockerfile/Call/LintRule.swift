/// One of BuildKit's Dockerfile lint rules: its name (what `# check=skip=` names), the one-line
/// description buildx prints in `--call=check,format=json`, and its documentation page.
/// Texts follow moby/buildkit v0.25.1 `frontend/dockerfile/linter/ruleset.go`; each rule's message
/// (the `detail`) is built where the rule fires, in the words of BuildKit's `Format` function.
public struct LintRule: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let summary: String
    public let url: String
    /// Runs only when `# check=experimental=NAME` (or `experimental=all`) asks for it.
    public let experimental: Bool

    init(_ name: String, _ summary: String, url: String, experimental: Bool = false) {
        self.name = name
        self.summary = summary
        self.url = "https://docs.docker.com/go/dockerfile/rule/" + url + "/"
        self.experimental = experimental
    }

    public var description: String { name }

    static let stageNameCasing = LintRule("StageNameCasing", "Stage names should be lowercase", url: "stage-name-casing")
    static let fromAsCasing = LintRule("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword", url: "from-as-casing")
    static let noEmptyContinuation = LintRule("NoEmptyContinuation", "Empty continuation lines will become errors in a future release",
                                              url: "no-empty-continuation")
    static let consistentInstructionCasing = LintRule("ConsistentInstructionCasing",
                                                      "All commands within the Dockerfile should use the same casing (either upper or lower)",
                                                      url: "consistent-instruction-casing")
    static let duplicateStageName = LintRule("DuplicateStageName", "Stage names should be unique", url: "duplicate-stage-name")
    static let reservedStageName = LintRule("ReservedStageName", "Reserved words should not be used as stage names", url: "reserved-stage-name")
    static let jsonArgsRecommended = LintRule("JSONArgsRecommended",
                                              "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
                                              url: "json-args-recommended")
    static let maintainerDeprecated = LintRule("MaintainerDeprecated",
                                               "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
                                               url: "maintainer-deprecated")
    static let undefinedArgInFrom = LintRule("UndefinedArgInFrom", "FROM command must use declared ARGs", url: "undefined-arg-in-from")
    static let workdirRelativePath = LintRule("WorkdirRelativePath",
                                              "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
                                              url: "workdir-relative-path")
    static let multipleInstructionsDisallowed = LintRule("MultipleInstructionsDisallowed",
                                                         "Multiple instructions of the same type should not be used in the same stage",
                                                         url: "multiple-instructions-disallowed")
    static let legacyKeyValueFormat = LintRule("LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used",
                                               url: "legacy-key-value-format")
    static let redundantTargetPlatform = LintRule("RedundantTargetPlatform",
                                                  "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
                                                  url: "redundant-target-platform")
    static let secretsUsedInArgOrEnv = LintRule("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands",
                                                url: "secrets-used-in-arg-or-env")
    static let invalidDefaultArgInFrom = LintRule("InvalidDefaultArgInFrom",
                                                  "Default value for global ARG results in an empty or invalid base image name",
                                                  url: "invalid-default-arg-in-from")
    static let fromPlatformFlagConstDisallowed = LintRule("FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value",
                                                          url: "from-platform-flag-const-disallowed")
    static let invalidDefinitionDescription = LintRule(
        "InvalidDefinitionDescription",
        "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
        url: "invalid-definition-description", experimental: true)
    static let exposeProtoCasing = LintRule("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase", url: "expose-proto-casing")
    static let exposeInvalidFormat = LintRule("ExposeInvalidFormat",
                                              "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
                                              url: "expose-invalid-format")

    /// The rules Hoist checks. BuildKit's UndefinedVar, InvalidBaseImagePlatform and CopyIgnoredFile
    /// need the base image's config or the build context and are not among them (docs/call.md).
    public static let all: [LintRule] = [
        stageNameCasing, fromAsCasing, noEmptyContinuation, consistentInstructionCasing, duplicateStageName, reservedStageName,
        jsonArgsRecommended, maintainerDeprecated, undefinedArgInFrom, workdirRelativePath, multipleInstructionsDisallowed,
        legacyKeyValueFormat, redundantTargetPlatform, secretsUsedInArgOrEnv, invalidDefaultArgInFrom, fromPlatformFlagConstDisallowed,
        invalidDefinitionDescription, exposeProtoCasing, exposeInvalidFormat,
    ]
}
