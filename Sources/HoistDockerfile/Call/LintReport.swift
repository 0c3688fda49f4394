/// What `--call=check` (`--check`) reports: the lint warnings `# check=` leaves on, in the order
/// BuildKit 0.25 finds them (`--call=check,format=json` keeps that order; the text output sorts
/// them by line), and the failure `# check=error=true` makes of them. Follows BuildKit's
/// `dockerfile2llb.DockerfileLint` and frontend/subrequests/lint; the rules are `LintRule.all`.
public struct LintReport: Sendable, Equatable {
    public var file: String
    public var source: String
    public var warnings: [DockerfileWarning]
    /// Set when `# check=error=true` and there are warnings.
    public var violation: LintViolation?

    /// Parses and lints `text`. A Dockerfile that cannot be parsed throws its parse errors.
    public init(parsing text: String, file: String = "Dockerfile") throws {
        let dockerfile = try Dockerfile(parsing: text, file: file, enforcingCheck: false)
        self.file = file
        source = text
        warnings = dockerfile.warnings
        violation = dockerfile.check.violation(dockerfile.warnings)
    }

    /// The warnings by line, as buildx prints them (a stable sort: same-line warnings keep their order).
    public var warningsByLine: [DockerfileWarning] {
        warnings.enumerated().sorted { ($0.element.location.line, $0.offset) < ($1.element.location.line, $1.offset) }.map(\.element)
    }
}
