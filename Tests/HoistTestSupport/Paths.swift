import Foundation

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

    /// image-spec's validate.py from the workplace's shared conformance material: `$HOIST_CONFORMANCE`,
    /// else `../shared/conformance` beside the checkout, else `/work/shared/conformance`.
    public static var imageSpecValidator: String {
        let candidates = [ProcessInfo.processInfo.environment["HOIST_CONFORMANCE"], packageRoot + "/../shared/conformance", "/work/shared/conformance"]
        let dir = candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/image-spec/validate.py") }
        return (dir ?? packageRoot + "/../shared/conformance") + "/image-spec/validate.py"
    }
}
