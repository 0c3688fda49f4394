import Testing
@testable import HoistBuild

/// Git URLs as BuildKit 0.25's dfgitutil.ParseGitRef reads them: fragment and query options.
struct GitReferenceTests {
    static let valid: [(String, GitReference)] = [
        ("https://h/r.git", GitReference(remote: "https://h/r.git")),
        ("https://h/r.git#v1", GitReference(remote: "https://h/r.git", ref: "v1")),
        ("https://h/r.git#v1:docs/../src", GitReference(remote: "https://h/r.git", ref: "v1", subdir: "src")),
        ("https://h/r.git#:sub", GitReference(remote: "https://h/r.git", subdir: "sub")),
        ("https://h/r.git?ref=main&subdir=a/b", GitReference(remote: "https://h/r.git", ref: "main", subdir: "a/b")),
        ("https://h/r.git?tag=v1", GitReference(remote: "https://h/r.git", ref: "refs/tags/v1")),
        ("https://h/r.git?branch=dev", GitReference(remote: "https://h/r.git", ref: "refs/heads/dev")),
        ("https://h/r.git?commit=abc123&keep-git-dir", GitReference(remote: "https://h/r.git", checksum: "abc123", keepGitDir: true)),
        ("git@github.com:o/r.git?submodules=false#v2", GitReference(remote: "git@github.com:o/r.git", ref: "v2", submodules: false)),
        ("https://h/r.git?ref=v1#v1", GitReference(remote: "https://h/r.git", ref: "v1")),
    ]

    @Test(arguments: valid)
    func gitURLOptionsAreReadAsBuildKitReadsThem(word: String, expected: GitReference) throws {
        #expect(GitReference.names(word))
        #expect(try GitReference(word) == expected)
    }

    static let refused: [(String, String)] = [
        ("https://h/r.git?bogus=1", "unknown git option \"bogus\""),
        ("https://h/r.git?ref=", "the git option \"ref\" needs a value"),
        ("https://h/r.git?ref=a&ref=b", "\"ref\" is given more than once"),
        ("https://h/r.git?keep-git-dir=maybe", "keep-git-dir=maybe is not true or false"),
        ("https://h/r.git?ref=a#b", "ref conflicts: \"b\" and \"a\""),
        ("https://h/r.git?tag=a&branch=b", "tag and branch conflicts"),
        ("https://h/r.git?subdir=x#:y", "subdir conflicts"),
    ]

    @Test(arguments: refused)
    func badGitURLOptionsAreRefusedWithTheOption(word: String, message: String) {
        #expect { _ = try GitReference(word) } throws: { "\($0)".contains(message) }
    }

    @Test func onlyGitURLsAreGitSources() throws {
        #expect(!GitReference.names("https://h/file.tar.gz"))
        #expect(!GitReference.names("https://h/x.git.tar?x=1"))
        #expect(GitReference.names("https://h/r.git?ref=v1"))
        #expect(GitReference.names("ssh://git@h/r"))
    }
}
