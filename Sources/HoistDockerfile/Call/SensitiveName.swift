/// Whether an ARG or ENV name looks like it holds a secret, by BuildKit's SecretsUsedInArgOrEnv
/// rule: a word such as `token`, `password` or `key` between underscores (any case), unless the
/// name also has `public`. The linter warns about such names; provenance leaves their build args out.
public enum SensitiveName {
    static let words: Set<String> = ["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"]

    public static func matches(_ name: String) -> Bool {
        let parts = Set(name.lowercased().split(separator: "_", omittingEmptySubsequences: false).map(String.init))
        return !parts.isDisjoint(with: words) && !parts.contains("public")
    }
}
