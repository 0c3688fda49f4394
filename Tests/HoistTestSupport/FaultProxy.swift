import Foundation

/// Testdata/fault-proxy.py in front of a registry: rules say which requests get a 429, a 5xx, a
/// connection cut halfway, a truncated or a corrupted body.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    public let directory: TempDirectory
    public var host: String { "127.0.0.1:\(port)" }
    var rulesFile: String { directory.path + "/rules.json" }
    var logFile: String { directory.path + "/proxy.log" }

    public init(upstream: TestRegistry) throws {
        directory = try TempDirectory("hoist-proxy")
        port = TestRegistry.freePort()
        try Shell.check([Paths.testdata + "/start-fault-proxy.sh", "\(port)", upstream.host, rulesFile, logFile, "\(getpid())"])
    }

    /// Replaces the rules; each is a dictionary as fault-proxy.py documents.
    public func setRules(_ rules: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesFile))
    }

    /// One line per request: "METHOD PATH RANGE -> outcome".
    public var log: [String] {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
