import Foundation
import Testing

/// Where the package, its Testdata and the built `hoist` binary are.
public enum Paths {
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var testdata: String { packageRoot + "/Testdata" }

    /// The `hoist` executable built next to the test bundle (`$HOIST_BIN` overrides).
    public static var hoist: String {
        if let bin = ProcessInfo.processInfo.environment["HOIST_BIN"] { return bin }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hoist").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return packageRoot + "/.build/debug/hoist"
    }

    /// The Python that has jsonschema and referencing, for image-spec's validate.py.
    public static var python: String { ProcessInfo.processInfo.environment["HOIST_PYTHON"] ?? "python3" }

}

/// The workplace's conformance material (image-spec's schemas and validator, BuildKit's parser
/// fixtures): `$HOIST_CONFORMANCE`, else `../shared/conformance` beside the checkout. It is optional:
/// tests that need it are skipped, with `missing` as the reason, where it is absent.
public enum Conformance {
    public static let directory: String? = {
        let candidates = [ProcessInfo.processInfo.environment["HOIST_CONFORMANCE"], Paths.packageRoot + "/../shared/conformance"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }()

    /// image-spec's validate.py, if present.
    public static var imageSpecValidator: String? {
        directory.map { $0 + "/image-spec/validate.py" }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// BuildKit's parser fixtures (testfiles/, testfiles-negative/), if present.
    public static var buildkitParser: String? {
        directory.map { $0 + "/buildkit-parser" }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    public static let missing: Comment = "the conformance material is absent: set HOIST_CONFORMANCE or place ../shared/conformance beside the checkout"
}
