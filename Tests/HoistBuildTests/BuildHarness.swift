import Foundation
import HoistBuild
@testable import HoistLayers
import HoistOCI
import HoistTestSupport
import Testing

/// What a build logs or warns, line by line, for a test to look through.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }
}

/// A build context in a temp dir, built with the library against the fixture registry.
struct BuildHarness {
    let fixtures: Fixtures
    let context: TempDirectory
    let root: TempDirectory

    init(dockerfile: String, files: [String: String] = [:]) throws {
        fixtures = try Fixtures.shared()
        context = try TempDirectory("hoist-context")
        root = try TempDirectory("hoist-root")
        _ = try context.file("Dockerfile", dockerfile)
        for (name, body) in files {
            let path = try context.file(name, body)
            chmod(path, 0o644)
            // Fixed mtimes, so layer digests depend on content only.
            _ = try Shell.check(["touch", "-d", "@1700000000", path])
        }
    }

    var registry: TestRegistry { fixtures.registry }

    func options(_ edit: (inout BuildOptions) throws -> Void = { _ in }) rethrows -> BuildOptions {
        var o = BuildOptions(contextDirectory: context.path, root: URL(fileURLWithPath: root.path))
        o.registriesConf = fixtures.registriesConf
        o.platform = Platform(os: "linux", architecture: "amd64")
        try edit(&o)
        return o
    }

    func build(_ edit: (inout BuildOptions) throws -> Void) async throws -> BuildResult {
        try await Builder(options: try options(edit)).run()
    }

    /// Builds into an OCI archive, whose base is busybox's one layer: that layer is downloaded
    /// exactly once, and kept in the store for the archive.
    func expectAnArchiveDownloadsBusyboxOnceAndStoresIt(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sizes = try remoteLayerSizes("library/busybox:latest")
        let layer = try #require(sizes.keys.first, sourceLocation: sourceLocation)
        let result = try await build { $0.outputs = [.ociArchive(dest: root.path + "/out.tar")] }
        #expect(result.stats.downloaded[layer] == sizes[layer], "once: \(result.stats.downloaded)", sourceLocation: sourceLocation)
        #expect(FileManager.default.fileExists(atPath: root.path + "/blobs/\(layer.algorithm)/\(layer.encoded)"), sourceLocation: sourceLocation)
    }

    /// A repository and tag in `registry` (default: the fixture registry) that no other test uses.
    func uniqueTag(in registry: TestRegistry? = nil) throws -> Reference {
        try Reference(parsing: "\((registry ?? self.registry).host)/demo/app\(UInt32.random(in: 0...UInt32.max)):1")
    }

    /// The manifest digest of `reference` in the fixture registry, as skopeo reports it.
    func remoteLayers(_ name: String, in registry: TestRegistry? = nil) throws -> [String] {
        let out = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\((registry ?? self.registry).host)/\(name)"])
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        return json["Layers"] as! [String]
    }

    /// Each layer's size in bytes, by digest, as the manifest of a single-platform image gives it.
    func remoteLayerSizes(_ name: String) throws -> [Digest: Int64] {
        let out = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/\(name)"])
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        var sizes: [Digest: Int64] = [:]
        for layer in json["layers"] as! [[String: Any]] {
            sizes[try Digest(parsing: layer["digest"] as! String)] = (layer["size"] as! NSNumber).int64Value
        }
        return sizes
    }
}

/// The demo's own Dockerfile, so the tests check what the README's demo builds.
let demoDockerfile: String = (try? String(contentsOfFile: Paths.testdata + "/demo/Dockerfile", encoding: .utf8)) ?? "missing Testdata/demo/Dockerfile"

extension BuildHarness {
    /// One build's image digest, the GETs of the base's layer that reached the registry, the
    /// layer's index as the build kept it (`$HOIST_ROOT/indexes`), and the listing of every
    /// snapshot it unpacked (path, type, size, mode, owner of each entry).
    struct ProxiedRun {
        var digest: Digest
        var gets: [String]
        var index: LayerIndex?
        var snapshots: [String]
    }

    /// Builds `dockerfile(proxyHost)` twice through a fault proxy in front of the fixture registry,
    /// its base (busybox, one layer) read through the proxy with SOURCE_DATE_EPOCH: once as it is,
    /// then with the first GET of the base's layer cut halfway. The image is pushed there (the base
    /// is mounted, never downloaded for the push), or with `archive` written to an OCI archive (the
    /// base's blob is stored as it is read).
    static func cuttingBaseLayer(archive: Bool = false, _ dockerfile: (String) -> String) async throws -> (clean: ProxiedRun, cut: ProxiedRun) {
        let fixtures = try Fixtures.shared()
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let text = dockerfile(proxy.host)
        let layer = try #require(try BuildHarness(dockerfile: text).remoteLayers("library/busybox:latest").last)
        func build() async throws -> ProxiedRun {
            let h = try BuildHarness(dockerfile: text, files: ["app.txt": "same\n"])
            let before = proxy.log.count
            let result = try await h.build {
                if archive {
                    $0.outputs = [.ociArchive(dest: h.root.path + "/out.tar")]
                } else {
                    $0.tags = [try Reference(parsing: "\(proxy.host)/demo/cut\(UInt32.random(in: 0...UInt32.max)):1")]
                    $0.push = true
                }
                $0.sourceDateEpoch = 1_700_000_000
            }
            let index = FileManager.default.contents(atPath: h.root.path + "/indexes/v3/" + layer.replacingOccurrences(of: ":", with: "-"))
                .flatMap { LayerIndexFile.decode(Array($0)) }
            let snapshots = try Shell.check(["bash", "-c", "cd \"$1\" && for s in snapshots*/sha256-*; do [ -d \"$s\" ] && (cd \"$s\" && find . -printf '%P %y %s %m %U %G\\n' | LC_ALL=C sort | sha256sum); done; true",
                                             "-", h.root.path])
            return ProxiedRun(digest: result.digest, gets: proxy.log.dropFirst(before).filter { $0.hasPrefix("GET ") && $0.contains(layer) },
                              index: index, snapshots: snapshots.split(separator: "\n").map(String.init))
        }
        let clean = try await build()
        try proxy.setRules([["id": "cut", "method": "GET", "path": "/blobs/\(layer)", "action": "truncate", "times": 1]])
        return (clean, try await build())
    }

    /// What a cut-base-layer test expects: one GET when nothing is cut, a cut GET then another
    /// after it, and the same image and the same index either way.
    static func expectTheCutChangesNothing(_ runs: (clean: ProxiedRun, cut: ProxiedRun), sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(runs.clean.gets.count == 1, "\(runs.clean.gets)", sourceLocation: sourceLocation)
        #expect(runs.cut.gets.count >= 2 && runs.cut.gets[0].contains("truncate"), "\(runs.cut.gets)", sourceLocation: sourceLocation)
        #expect(runs.cut.digest == runs.clean.digest, sourceLocation: sourceLocation)
        #expect(runs.clean.index != nil && runs.cut.index == runs.clean.index, "the index kept is the whole layer's", sourceLocation: sourceLocation)
        #expect(runs.cut.snapshots == runs.clean.snapshots, "a snapshot is the whole layer's", sourceLocation: sourceLocation)
    }
}
