import Testing
import HoistLayers

/// Where a runtime puts a layer entry whose parents are symlinks (containerd's RootPath).
struct ContainedPathTests {
    static let cases: [(String, [String: String], String)] = [
        ("a/b", [:], "a/b"),
        ("escape/file", ["escape": "/tmp"], "tmp/file"),
        ("rel/x", ["rel": "../../etc"], "etc/x"),
        ("deep/up/x", ["deep/up": "../../../.."], "x"),
        ("a/b/c", ["a": "b", "b": "/real"], "real/b/c"),
        ("chain/x", ["chain": "next", "next": "/end"], "end/x"),
        ("loop/x", ["loop": "loop"], "loop/x"),
        ("escape", ["escape": "/tmp"], "escape"),
        ("in/../escape/f", ["escape": "/tmp"], "tmp/f"),
    ]

    @Test(arguments: cases)
    func parentsResolveThroughSymlinksInsideTheRoot(path: String, symlinks: [String: String], expected: String) {
        #expect(ContainedPath.resolvingParents(path, through: symlinks) == expected)
    }
}
