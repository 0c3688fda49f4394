import Testing
@testable import HoistDockerfile

/// `.dockerignore` as BuildKit reads it (the examples of Docker's documentation among them).
struct DockerIgnoreTableTests {
    static let cases: [(String, String, Bool)] = [
        ("*.md", "README.md", true), ("*.md", "docs/a.md", false), ("**/*.md", "docs/a.md", true), ("**/*.md", "README.md", true),
        ("node_modules", "node_modules/x/y.js", true), ("*\n!keep.txt", "keep.txt", false), ("*\n!keep.txt", "other", true),
        ("build/\n!build/keep", "build/keep", false), ("build/\n!build/keep", "build/x", true),
        ("# comment\n\n tmp ", "tmp", true), ("/abs", "abs", true), ("./rel", "rel", true),
        ("a/**/b", "a/b", true), ("a/**/b", "a/x/y/b", true), ("a/**/b", "a/x/c", false),
        ("?.txt", "a.txt", true), ("?.txt", "ab.txt", false), ("[a-c].log", "b.log", true), ("[a-c].log", "d.log", false),
        ("dir/*", "dir/x", true), ("dir/*", "dir", false), ("**", "any/thing", true),
        ("*/temp*", "somedir/temporary.txt", true), ("*/temp*", "somedir/subdir/temporary.txt", false),
        ("*/*/temp*", "somedir/subdir/temporary.txt", true), ("temp?", "tempa", true), ("!README.md", "README.md", false),
        ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true), ("*.md\n!README*.md\nREADME-secret.md", "README.md", false),
        ("*.md\n!README*.md\nREADME-secret.md", "CHANGES.md", true), ("a/../b", "b", true), ("sub/dir\r\n", "sub/dir/f", true),
    ]

    @Test(arguments: cases)
    func excludesAsBuildKitDoes(patterns: String, path: String, excluded: Bool) {
        #expect(DockerIgnore(parsing: patterns).excludes(path) == excluded)
    }

    @Test func aReincludingRuleKeepsItsDirectoryWalkable() {
        let ignore = DockerIgnore(parsing: "secret/\n!secret/public.txt\nvendor/\n")
        #expect(ignore.mayReinclude(below: "secret"))
        #expect(!ignore.mayReinclude(below: "vendor"))
    }
}
