import Foundation
import HoistTestSupport
import Testing

/// Runs the built `hoist` binary the way a person would, against the fixture registry.
struct CLIHarness {
    let fixtures: Fixtures
    let context: TempDirectory
    let root: TempDirectory

    init(dockerfile: String, files: [String: String] = [:]) throws {
        fixtures = try Fixtures.shared()
        context = try TempDirectory("hoist-cli")
        root = try TempDirectory("hoist-root")
        _ = try context.file("Dockerfile", dockerfile)
        for (name, body) in files { _ = try context.file(name, body) }
    }

    func hoist(_ arguments: [String], environment: [String: String] = [:]) throws -> ShellResult {
        try Shell.run([Paths.hoist] + arguments, environment: fixtures.environment(root: root.path).merging(environment) { $1 },
                      directory: context.path)
    }

    /// Builds the context to an OCI tarball; the usual way to make hoist do a whole build.
    func build(_ extra: [String] = [], environment: [String: String] = [:]) throws -> ShellResult {
        try hoist(["assemble", "-o", "type=oci,dest=\(root.path)/out.tar"] + extra + ["."], environment: environment)
    }
}

/// A failed run: exit 1, and exactly one line on stderr that starts with "error:" and contains every piece.
func expectOneLineError(_ result: ShellResult, _ pieces: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 1, "exit status", sourceLocation: sourceLocation)
    let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
    #expect(errors.count == 1, "one error line in: \(result.stderr)", sourceLocation: sourceLocation)
    for piece in pieces {
        #expect(errors.first?.contains(piece) == true, "\"\(piece)\" in: \(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
}

/// Every blob in the store hashes to its own name and no temp file is left behind.
func expectStoreConsistent(_ root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let blobs = root + "/blobs/sha256"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? [] {
        let sum = try Shell.check(["sha256sum", blobs + "/" + name])
        #expect(sum.hasPrefix(name + " "), "blob \(name) is corrupt", sourceLocation: sourceLocation)
    }
    let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: root + "/ingest")) ?? []
    #expect(leftovers.isEmpty, "temp files left in ingest: \(leftovers)", sourceLocation: sourceLocation)
}
