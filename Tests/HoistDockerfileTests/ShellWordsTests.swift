import Testing
@testable import HoistDockerfile

struct ShellWordsTests {
    let env = ["A": "x", "EMPTY": "", "P": "a b"]

    @Test(arguments: [
        ("$A", "x"), ("${A}", "x"), ("pre${A}post", "prexpost"), ("$UNSET", ""),
        ("${UNSET:-dflt}", "dflt"), ("${EMPTY:-dflt}", "dflt"), ("${EMPTY-dflt}", ""), ("${UNSET-dflt}", "dflt"),
        ("${A:+alt}", "alt"), ("${UNSET:+alt}", ""), ("${EMPTY+alt}", "alt"),
        ("'$A'", "$A"), ("\"$A\"", "x"), ("\\$A", "$A"), ("\"a \\\"q\\\" b\"", "a \"q\" b"),
        ("${UNSET:-${A}}", "x"), ("$", "$"), ("a$-b", "a$-b"),
    ])
    func expandsLikeBuildKit(word: String, expected: String) throws {
        #expect(try ShellWords().expand(word, env) == expected)
    }

    @Test func splitKeepsQuotedBlanksTogether() {
        #expect(ShellWords().split("a \"b c\" 'd e'  f") == ["a", "\"b c\"", "'d e'", "f"])
    }

    @Test func errorsAreReported() {
        #expect(throws: ShellWordsError.self) { try ShellWords().expand("${A", env) }
        #expect(throws: ShellWordsError.self) { try ShellWords().expand("\"open", env) }
        #expect(throws: ShellWordsError.self) { try ShellWords().expand("${UNSET:?needed}", env) }
    }
}
