/// The `# check=` parser directive, read as BuildKit's `linter.ParseLintOptions` (v0.25.1):
/// up to three `;`-separated settings, `skip=RULE,RULE|all`, `experimental=RULE,RULE|all` and
/// `error=BOOL`. Skipped rules say nothing; experimental rules run only when named here; with
/// `error=true` any warning left fails the build (and `--call=check`, and `--call=outline`).
public struct CheckDirective: Sendable, Equatable {
    public var skipped: Set<String> = []
    public var skipAll = false
    public var experimental: Set<String> = []
    public var experimentalAll = false
    public var warningsAreErrors = false

    public init() {}

    /// Reads the directive's value (`skip=A,B;error=true`); a malformed one is refused as BuildKit refuses it.
    public init(parsing text: String, location: SourceLocation) throws {
        let trimmed = GoQuote.trimSpace(text)
        guard !trimmed.isEmpty else { return }
        // strings.SplitN(…, ";", 3): a third part keeps any further ';'.
        var parts: [Substring] = []
        var rest = Substring(trimmed)
        while parts.count < 2, let semicolon = rest.firstIndex(of: ";") {
            parts.append(rest[..<semicolon])
            rest = rest[rest.index(after: semicolon)...]
        }
        parts.append(rest)
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else {
                throw DockerfileError(location, "invalid check option \"\(part)\" in # check=\(text): use skip=RULE,…, experimental=RULE,… or error=true")
            }
            let key = GoQuote.trimSpace(String(part[..<eq]))
            let value = GoQuote.trimSpace(String(part[part.index(after: eq)...]))
            let names = Set(value.split(separator: ",", omittingEmptySubsequences: false).map { GoQuote.trimSpace(String($0)) })
            switch key {
            case "skip": if value == "all" { skipAll = true } else { skipped = names }
            case "experimental": if value == "all" { experimentalAll = true } else { experimental = names }
            case "error":
                // Go's strconv.ParseBool.
                switch value {
                case "1", "t", "T", "TRUE", "true", "True": warningsAreErrors = true
                case "0", "f", "F", "FALSE", "false", "False": warningsAreErrors = false
                default: throw DockerfileError(location, "# check=\(text): error=\(value) is not a boolean (use true or false)")
                }
            default:
                throw DockerfileError(location, "invalid check option \"\(key)\" in # check=\(text): use skip=RULE,…, experimental=RULE,… or error=true")
            }
        }
    }

    /// Whether a warning of `rule` is reported (BuildKit's `Linter.Run`): an experimental rule only
    /// when asked for, any other unless skipped.
    public func reports(_ rule: LintRule) -> Bool {
        if rule.experimental { return experimentalAll || experimental.contains(rule.name) }
        return !skipAll && !skipped.contains(rule.name)
    }

    /// BuildKit's `Linter.Error`: with `error=true`, the failure that the warnings left make.
    /// Rules are named once each, in the order they first fired.
    public func violation(_ warnings: [DockerfileWarning]) -> LintViolation? {
        guard warningsAreErrors, !warnings.isEmpty else { return nil }
        var rules: [String] = []
        for warning in warnings where !rules.contains(warning.rule.name) { rules.append(warning.rule.name) }
        return LintViolation(rules: rules, warnings: warnings)
    }
}

/// Lint warnings that `# check=error=true` turns into a failure.
public struct LintViolation: Sendable, Equatable {
    public var rules: [String]
    public var warnings: [DockerfileWarning]

    /// BuildKit's words: `lint violation found for rules: A, B`.
    public var message: String { "lint violation found for rules: " + rules.joined(separator: ", ") }
}
