import Testing
@testable import HoistDockerfile

/// BuildKit's shell-word rules: every substitution operator, quotes and escapes.
struct ExpansionTableTests {
    static let env = ["FILE": "archive.tar.gz", "PATHV": "/usr/local/bin", "EMPTY": "", "NAME": "hoist", "SP": "a b", "V": "aXbXc"]

    static let cases: [(String, String)] = [
        ("$NAME", "hoist"), ("${NAME}", "hoist"), ("x${NAME}y", "xhoisty"), ("$NAME-$NAME", "hoist-hoist"), ("$UNSET", ""),
        ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"), ("${NAME:-d}", "hoist"), ("${EMPTY-d}", ""), ("${UNSET-d}", "d"),
        ("${NAME:+alt}", "alt"), ("${EMPTY:+alt}", ""), ("${UNSET:+alt}", ""), ("${EMPTY+alt}", "alt"), ("${UNSET+alt}", ""),
        ("${NAME:?must}", "hoist"), ("${EMPTY?must}", ""),
        ("${FILE#*.}", "tar.gz"), ("${FILE##*.}", "gz"), ("${FILE%.*}", "archive.tar"), ("${FILE%%.*}", "archive"),
        ("${FILE#nomatch}", "archive.tar.gz"), ("${PATHV##*/}", "bin"), ("${PATHV%/*}", "/usr/local"), ("${PATHV#/}", "usr/local/bin"),
        ("${V/X/-}", "a-bXc"), ("${V//X/-}", "a-b-c"), ("${V//X}", "abc"), ("${V/[ab]/_}", "_XbXc"), ("${V//?X/.}", "..c"),
        ("${UNSET#x}", ""), ("${FILE%.${UNSET:-gz}}", "archive.tar"), ("${UNSET:-${NAME}}", "hoist"), ("${UNSET:-a b}", "a b"),
        ("'$NAME'", "$NAME"), ("\"$NAME\"", "hoist"), ("\\$NAME", "$NAME"), ("\"a \\\"q\\\" b\"", "a \"q\" b"),
        ("'a\\b'", "a\\b"), ("\"a\\b\"", "a\\b"), ("a\\ b", "a b"), ("$", "$"), ("a$-b", "a$-b"), ("${SP}", "a b"),
        ("pre'${NAME}'post", "pre${NAME}post"),
    ]

    @Test(arguments: cases)
    func expandsLikeBuildKit(word: String, expected: String) throws {
        #expect(try ShellWords().expand(word, Self.env) == expected)
    }

    @Test(arguments: ["${A", "\"open", "'open", "${UNSET:?must be set}", "${EMPTY:?}", "${:-x}", "${NAME:3}", "${NAME^^}"])
    func badSubstitutionsAreErrors(word: String) {
        #expect(throws: ShellWordsError.self) { try ShellWords().expand(word, Self.env) }
    }

    @Test func requiredVariableSaysWhichAndWhy() {
        do {
            _ = try ShellWords().expand("${TOKEN:?set TOKEN with --build-arg}", [:])
            Issue.record("expanded")
        } catch {
            #expect("\(error)" == "TOKEN: set TOKEN with --build-arg")
        }
    }

    @Test func backtickEscapeAppliesToExpansion() throws {
        #expect(try ShellWords(escape: "`").expand("C:\\dir `$NAME", Self.env) == "C:\\dir $NAME")
    }

    @Test func splitKeepsQuotedBlanksTogether() {
        #expect(ShellWords().split("a \"b c\" 'd e'  f") == ["a", "\"b c\"", "'d e'", "f"])
    }
}
