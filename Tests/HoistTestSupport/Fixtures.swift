import Foundation

/// One registry per test process holding the fixture images from Testdata/make-fixtures.sh
/// (busybox, alpine, nginx, whiteout, multiarch), made once and shared by every test.
public final class Fixtures: @unchecked Sendable {
    public let registry: TestRegistry
    public let work: TempDirectory
    public let registriesConf: String

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: Result<Fixtures, Error>?

    public static func shared() throws -> Fixtures {
        lock.lock()
        defer { lock.unlock() }
        if let made { return try made.get() }
        let result = Result { try Fixtures() }
        made = result
        return try result.get()
    }

    private init() throws {
        registry = try TestRegistry()
        work = try TempDirectory("hoist-fixtures")
        // Shared by the whole test process, so never deinitialised: removed once the process is gone.
        try Shell.check(["bash", "-c", "setsid bash -c 'while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; rm -rf \"$0\"' \"$1\" >/dev/null 2>&1 </dev/null &",
                         "-", work.path])
        var args = [Paths.testdata + "/make-fixtures.sh", registry.host, work.path + "/build"]
        let arm64 = ProcessInfo.processInfo.environment["HOIST_ARM64_BUSYBOX"] ?? "/var/cache/hoist-testdata/busybox-arm64"
        if FileManager.default.isExecutableFile(atPath: arm64) { args.append(arm64) }
        try Shell.check(args)
        registriesConf = work.path + "/registries.conf"
        try registry.writeRegistriesConf(to: registriesConf)
    }

    /// Whether the two-platform index was made (needs the arm64 busybox from fetch-arm64-busybox.sh).
    public var hasMultiarch: Bool { FileManager.default.fileExists(atPath: work.path + "/build/rootfs-arm64") }

    /// Environment for running `hoist` against the fixtures with its own fresh store.
    /// What the `hoist` binary needs to build against the fixtures. Default attestations are off
    /// (as a pipeline that sets BUILDX_NO_DEFAULT_ATTESTATIONS has them), so an image is one
    /// manifest unless a test asks for provenance or an SBOM, or sets the variable to "" for buildx's default.
    public func environment(root: String) -> [String: String] {
        ["HOIST_ROOT": root, "HOIST_REGISTRIES_CONF": registriesConf, "BUILDX_NO_DEFAULT_ATTESTATIONS": "1"]
    }
}
