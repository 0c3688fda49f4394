import Foundation

/// A directory served over loopback HTTP (Testdata/start-file-server.sh), for ADD of URLs and
/// of git repositories; stopped when the test process ends.
public final class FileServer: @unchecked Sendable {
    public let directory: TempDirectory
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        directory = try TempDirectory("hoist-files")
        port = TestRegistry.freePort()
        try Shell.check([Paths.testdata + "/start-file-server.sh", directory.path, "\(port)", "\(getpid())"])
    }
}
