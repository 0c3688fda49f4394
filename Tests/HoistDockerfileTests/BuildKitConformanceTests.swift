import Foundation
import HoistTestSupport
import Testing
@testable import HoistDockerfile

/// BuildKit's own parser fixtures (the conformance material's buildkit-parser): every dump must
/// match BuildKit's byte for byte, the negative cases must be refused, and line numbers must agree.
/// Skipped, with the reason, where the material is absent.
@Suite(.enabled(if: Conformance.buildkitParser != nil, Conformance.missing))
struct BuildKitConformanceTests {
    static let root = Conformance.buildkitParser ?? ""

    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/testfiles")) ?? []).sorted()
    static let negative: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/testfiles-negative")) ?? []).sorted()

    @Test func allFixturesArePresent() {
        #expect(Self.cases.count == 33, "found \(Self.cases.count) cases under \(Self.root)")
        #expect(Self.negative.count == 4)
    }

    @Test(arguments: cases)
    func dumpMatchesBuildKit(name: String) throws {
        let dir = Self.root + "/testfiles/" + name
        let text = try String(contentsOfFile: dir + "/Dockerfile", encoding: .utf8)
        let expected = try String(contentsOfFile: dir + "/result", encoding: .utf8)
        let tree = try SyntaxParser.parse(text, file: name)
        #expect(tree.dump() == expected)
    }

    @Test(arguments: negative)
    func negativeCasesAreRefused(name: String) throws {
        let text = try String(contentsOfFile: Self.root + "/testfiles-negative/\(name)/Dockerfile", encoding: .utf8)
        do {
            _ = try Dockerfile(parsing: text, file: "Dockerfile")
            Issue.record("\(name) was accepted")
        } catch let error as DockerfileError {
            #expect(error.description.hasPrefix("Dockerfile:"), "\(error)")
            #expect(error.message.count > 10)
        }
    }

    @Test func lineNumbersMatchBuildKit() throws {
        let text = try String(contentsOfFile: Self.root + "/testfile-line/Dockerfile", encoding: .utf8)
        let tree = try SyntaxParser.parse(text)
        #expect(tree.startLine == 5 && tree.endLine == 31)
        #expect(tree.nodes.map { [$0.startLine, $0.endLine] } == [[5, 5], [11, 12], [17, 31]])
    }
}
