import Foundation
import HoistTestSupport
import Testing

/// `hoist copy`, `pull` and `inspect`, checked against what skopeo sees and does.
@Suite struct TransferCommandTests {
    func skopeoDigest(_ location: String) throws -> String {
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", location])
        return "sha256:" + (try Shell.check(["sh", "-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", raw])).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func copyKeepsEveryDigestAcrossRegistriesLayoutsAndArchives() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        try #require(h.fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let source = "docker://\(h.fixtures.registry.host)/library/multiarch:latest"
        let other = try TestRegistry()
        let dir = try TempDirectory("hoist-copy")
        let steps = [
            (source, "docker://\(h.fixtures.registry.host)/copied/multi:1"),
            ("docker://\(h.fixtures.registry.host)/copied/multi:1", "docker://\(other.host)/elsewhere/multi:2"),
            ("docker://\(other.host)/elsewhere/multi:2", "oci:\(dir.path)/layout:v1"),
            ("oci:\(dir.path)/layout:v1", "oci-archive:\(dir.path)/image.tar:v1"),
            ("oci-archive:\(dir.path)/image.tar:v1", "docker://\(other.host)/back/multi:3"),
        ]
        let expected = try skopeoDigest(source)
        for (from, to) in steps {
            let result = try h.hoist(["copy", "--all", from, to])
            #expect(result.status == 0, "\(from) -> \(to): \(result.stderr)")
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        }
        #expect(try skopeoDigest("docker://\(other.host)/back/multi:3") == expected, "the index arrives byte for byte")
        #expect(try skopeoDigest("oci:\(dir.path)/layout:v1") == expected)
        // skopeo copies the same source to the same digest.
        try Shell.check(["skopeo", "copy", "-q", "--all", "--src-tls-verify=false", "--dest-tls-verify=false", source, "docker://\(other.host)/by-skopeo/multi:1"])
        #expect(try skopeoDigest("docker://\(other.host)/by-skopeo/multi:1") == expected)
        // Within one registry the layers were mounted, not uploaded again.
        #expect(h.fixtures.registry.accessLog(containing: "/v2/copied/multi/blobs/uploads/?mount=").count > 0)
        #expect(h.fixtures.registry.accessLog(containing: "PUT /v2/copied/multi/blobs/uploads").isEmpty)
    }

    @Test func copyOfOnePlatformPicksItFromTheIndex() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        try #require(h.fixtures.hasMultiarch, "the arm64 busybox fixture is missing")
        let result = try h.hoist(["copy", "--platform", "linux/arm64", "docker://\(h.fixtures.registry.host)/library/multiarch:latest",
                                  "docker://\(h.fixtures.registry.host)/copied/arm:1"])
        #expect(result.status == 0, "\(result.stderr)")
        let config = try Shell.check(["skopeo", "inspect", "--config", "--tls-verify=false", "docker://\(h.fixtures.registry.host)/copied/arm:1"])
        #expect(config.contains("\"architecture\": \"arm64\""))
    }

    @Test func pullKeepsTheImageAsAnOCILayoutSkopeoCanRead() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let result = try h.hoist(["pull", "nginx"])
        #expect(result.status == 0, "\(result.stderr)")
        let digest = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try skopeoDigest("oci:\(h.root.path):docker.io/library/nginx:latest") == digest)
        try expectStoreConsistent(h.root.path)
    }

    @Test func inspectShowsWhatSkopeoShows() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let ours = try h.hoist(["inspect", "nginx:latest"])
        #expect(ours.status == 0, "\(ours.stderr)")
        let theirs = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(h.fixtures.registry.host)/library/nginx:latest"])
        let a = try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as! [String: Any]
        let b = try JSONSerialization.jsonObject(with: Data(theirs.utf8)) as! [String: Any]
        for key in ["Digest", "Architecture", "Os"] { #expect(a[key] as? String == b[key] as? String, "\(key)") }
        #expect(a["Layers"] as? [String] == b["Layers"] as? [String])
        #expect(a["Env"] as? [String] == b["Env"] as? [String])
        #expect((a["RepoTags"] as? [String])?.contains("latest") == true)
        let raw = try h.hoist(["inspect", "--raw", "nginx:latest"])
        #expect("sha256:" + (try Shell.check(["sh", "-c", "printf %s \"$0\" | sha256sum | cut -d' ' -f1", raw.stdout])).trimmingCharacters(in: .whitespacesAndNewlines) == a["Digest"] as? String)
        let missing = try h.hoist(["inspect", "nginx:nope"])
        expectOneLineError(missing, ["library/nginx:nope not found"])
    }
}

@Suite struct TransferFaultTests {
    @Test func aCorruptedStreamBetweenRegistriesIsNeverCommitted() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\n")
        let proxy = try FaultProxy(upstream: h.fixtures.registry)
        let other = try TestRegistry()
        let layers = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(h.fixtures.registry.host)/library/nginx:latest"])
        let big = ((try JSONSerialization.jsonObject(with: Data(layers.utf8)) as! [String: Any])["Layers"] as! [String])[0]
        try proxy.setRules([["id": "flip", "method": "GET", "path": "/blobs/\(big)", "action": "flip", "times": 1]])
        let result = try h.hoist(["copy", "docker://\(proxy.host)/library/nginx:latest", "docker://\(other.host)/copied/nginx:1"],
                                 environment: ["HOIST_RETRY_BASE_MS": "10"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(proxy.log.filter { $0.contains("/blobs/\(big)") }.count == 2, "the corrupted stream was abandoned and the blob fetched again: \(proxy.log)")
        // The copy reads back whole: skopeo verifies every blob against its digest.
        let out = try TempDirectory("hoist-readback")
        try Shell.check(["skopeo", "copy", "-q", "--src-tls-verify=false", "docker://\(other.host)/copied/nginx:1", "oci:\(out.path)/l:x"])
        #expect(try Shell.check(["sha256sum", out.path + "/l/blobs/sha256/" + big.dropFirst(7)]).hasPrefix(String(big.dropFirst(7))))
        try expectStoreConsistent(h.root.path)
    }
}
