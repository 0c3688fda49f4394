import Foundation
import HoistTestSupport
import Testing

/// `hoist assemble --call=…` / `--check` against what buildx 0.29 with BuildKit 0.25 printed for the
/// same Dockerfiles (Testdata/call, made by Testdata/call/regenerate.sh; docs/call.md). Two
/// differences are deliberate and taken out of the goldens here the same way: the ` - URL` after
/// `WARNING: RULE`, and `definition` (BuildKit's LLB) in check's JSON `sources`.
@Suite struct CallCommandTests {
    struct Call: CustomStringConvertible, Sendable {
        var directory: String
        var name: String
        var flags: [String]
        var description: String { "\((directory as NSString).lastPathComponent)/\(name)" }
    }

    static let root = Paths.testdata + "/call"

    static var calls: [Call] {
        let cases = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            FileManager.default.fileExists(atPath: root + "/" + $0 + "/calls")
        }.sorted()
        return cases.flatMap { name -> [Call] in
            let text = (try? String(contentsOfFile: root + "/" + name + "/calls", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ").map(String.init)
                guard let first = words.first else { return nil }
                return Call(directory: root + "/" + name, name: first, flags: Array(words.dropFirst()))
            }
        }
    }

    /// The golden stdout with Hoist's two deliberate differences applied.
    static func expected(_ text: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            guard line.hasPrefix("WARNING: "), let dash = line.range(of: " - https://") else { return line }
            return line[..<dash.lowerBound]
        }
        var out = lines.joined(separator: "\n")
        // check's JSON: drop each source's "definition": { … } member (its lines up to the matching close).
        while let start = out.range(of: ",\n      \"definition\": {") {
            var depth = 0
            var index = out.index(start.upperBound, offsetBy: -1)
            repeat {
                if out[index] == "{" { depth += 1 } else if out[index] == "}" { depth -= 1 }
                index = out.index(after: index)
            } while depth > 0
            out.removeSubrange(start.lowerBound..<index)
        }
        return out
    }

    @Test(arguments: calls) func printsWhatBuildxPrints(_ call: Call) throws {
        #expect(Self.calls.count >= 20, "the goldens are found")
        let root = try TempDirectory("hoist-call-root")
        let result = try Shell.run([Paths.hoist, "assemble"] + call.flags + ["."], environment: ["HOIST_ROOT": root.path], directory: call.directory)
        let golden = try String(contentsOfFile: call.directory + "/" + call.name + ".stdout", encoding: .utf8)
        let status = try String(contentsOfFile: call.directory + "/" + call.name + ".status", encoding: .utf8)
        #expect(result.stdout == (try Self.expected(golden)), "stderr: \(result.stderr)")
        #expect("\(result.status)" == status.trimmingCharacters(in: .whitespacesAndNewlines), "stderr: \(result.stderr)")
        if let failure = try? String(contentsOfFile: call.directory + "/" + call.name + ".stderr", encoding: .utf8),
           let message = failure.split(separator: "\n").first, message.contains("lint violation") {
            // --check says it in BuildKit's words; a build (and --call=outline) names the warning and the directive.
            #expect(result.stderr.contains(call.flags.contains("--check") || call.flags.contains { $0.hasPrefix("--call=check") }
                ? "error: lint violation found for rules: JSONArgsRecommended" : "JSONArgsRecommended"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.path + "/blobs"), "nothing was pulled or stored")
    }

    @Test func checkWithoutWarningsSaysSoAndExitsZero() throws {
        let dir = try TempDirectory("hoist-call")
        _ = try dir.file("Dockerfile", "FROM busybox\nCMD [\"true\"]\n")
        let result = try Shell.run([Paths.hoist, "build", "--check", "."], environment: ["HOIST_ROOT": dir.path + "/root"], directory: dir.path)
        #expect(result.status == 0)
        #expect(result.stdout == "Check complete, no warnings found.\n")
    }

    @Test func ignoreStatusMakesWarningsExitZero() throws {
        let dir = try TempDirectory("hoist-call")
        _ = try dir.file("Dockerfile", "FROM busybox\nCMD true\n")
        let result = try Shell.run([Paths.hoist, "build", "--call=check,ignorestatus=true", "."], environment: ["HOIST_ROOT": dir.path + "/root"],
                                   directory: dir.path)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Check complete, 1 warning has been found!\n\nWARNING: JSONArgsRecommended\n"))
    }

    @Test func checkReadsTheDockerfileGivenWithF() throws {
        let dir = try TempDirectory("hoist-call")
        _ = try dir.file("app.Dockerfile", "FROM busybox AS App\n")
        let result = try Shell.run([Paths.hoist, "build", "--check", "-f", dir.path + "/app.Dockerfile", "."],
                                   environment: ["HOIST_ROOT": dir.path + "/root"], directory: dir.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\n" + dir.path + "/app.Dockerfile:1\n"), "\(result.stdout)")
    }

    @Test(arguments: [
        (["--call=frobnicate"], "unknown method \"frobnicate\""),
        (["--call=outline,format=yaml"], "unknown format \"yaml\""),
        (["--call=outline,colour=red"], "unknown setting \"colour=red\""),
        (["--call=outline,targets"], "name one method"),
        (["--call=build,format=json"], "format=json goes with check, outline or targets"),
        (["--check", "--call=targets"], "--check is --call=check"),
        (["--call=outline", "--target=nope"], "target stage \"nope\" could not be found"),
    ])
    func badRequestsSayWhatIsAllowed(_ flags: [String], _ piece: String) throws {
        let dir = try TempDirectory("hoist-call")
        _ = try dir.file("Dockerfile", "FROM busybox AS app\n")
        let result = try Shell.run([Paths.hoist, "build"] + flags + ["."], environment: ["HOIST_ROOT": dir.path + "/root"], directory: dir.path)
        expectOneLineError(result, [piece])
        #expect(result.stdout.isEmpty)
    }
}
