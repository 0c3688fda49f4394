import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport

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
    /// One build's image digest and the GETs of the base's layer that reached the registry.
    struct ProxiedRun {
        var digest: Digest
        var gets: [String]
    }

    /// Builds `dockerfile(proxyHost)` twice through a fault proxy in front of the fixture registry,
    /// its base (busybox, one layer) read and its image pushed there with SOURCE_DATE_EPOCH, so the
    /// base is mounted, never downloaded for the push: once as it is, then with the first GET of the
    /// base's layer cut halfway.
    static func cuttingBaseLayer(_ dockerfile: (String) -> String) async throws -> (clean: ProxiedRun, cut: ProxiedRun) {
        let fixtures = try Fixtures.shared()
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let text = dockerfile(proxy.host)
        let layer = try BuildHarness(dockerfile: text).remoteLayers("library/busybox:latest").last!
        func build() async throws -> ProxiedRun {
            let h = try BuildHarness(dockerfile: text, files: ["app.txt": "same\n"])
            let before = proxy.log.count
            let result = try await h.build {
                $0.tags = [try Reference(parsing: "\(proxy.host)/demo/cut\(UInt32.random(in: 0...UInt32.max)):1")]
                $0.push = true
                $0.sourceDateEpoch = 1_700_000_000
            }
            return ProxiedRun(digest: result.digest, gets: proxy.log.dropFirst(before).filter { $0.hasPrefix("GET ") && $0.contains(layer) })
        }
        let clean = try await build()
        try proxy.setRules([["id": "cut", "method": "GET", "path": "/blobs/\(layer)", "action": "truncate", "times": 1]])
        return (clean, try await build())
    }
}
