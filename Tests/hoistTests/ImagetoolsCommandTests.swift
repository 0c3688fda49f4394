import Foundation
import HoistTestSupport
import Testing

/// `hoist imagetools create`, read back with skopeo.
@Suite struct ImagetoolsCommandTests {
    func rawIndex(_ reference: String) throws -> [String: Any] {
        let raw = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(reference)"])
        return try JSONSerialization.jsonObject(with: Data(raw.utf8)) as! [String: Any]
    }

    func architectures(_ index: [String: Any]) -> [String] {
        (index["manifests"] as! [[String: Any]]).map { ($0["platform"] as! [String: Any])["architecture"] as! String }.sorted()
    }

    @Test func createStitchesSinglePlatformImagesByDigestAndAppendKeepsWhatIsThere() throws {
        let h = try CLIHarness(dockerfile: "FROM scratch\nCOPY f /f\n", files: ["f": "x\n"])
        let host = h.fixtures.registry.host
        let repo = "\(host)/stitch/app\(UInt32.random(in: 0...UInt32.max))"
        var digests: [String: String] = [:]
        for arch in ["amd64", "arm64", "s390x"] {
            let result = try h.hoist(["assemble", "-q", "--platform", "linux/\(arch)", "-o", "type=registry,name=\(repo),push-by-digest=true", "."])
            try #require(result.status == 0, "\(result.stderr)")
            digests[arch] = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let mark = h.fixtures.registry.logMark()
        let made = try h.hoist(["imagetools", "create", "-t", "\(repo):multi", "--annotation", "index:org.opencontainers.image.title=app",
                                "\(repo)@\(digests["amd64"]!)", "\(repo)@\(digests["arm64"]!)"])
        try #require(made.status == 0, "\(made.stderr)")
        let index = try rawIndex("\(repo):multi")
        #expect(architectures(index) == ["amd64", "arm64"])
        #expect((index["annotations"] as? [String: String])?["org.opencontainers.image.title"] == "app")
        #expect(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("sha256:"))
        // No layer was downloaded: only manifests and configs are read.
        // Only this test's repository: other tests use the same registry at the same time.
        let path = "/v2/" + repo.dropFirst(host.count + 1) + "/blobs/"
        let layerGets = h.fixtures.registry.accessLog(containing: "GET " + path, since: mark)
        #expect(layerGets.count <= 2, "only the two configs are fetched: \(layerGets)")

        let appended = try h.hoist(["imagetools", "create", "--append", "-t", "\(repo):multi", "\(repo)@\(digests["s390x"]!)"])
        try #require(appended.status == 0, "\(appended.stderr)")
        #expect(architectures(try rawIndex("\(repo):multi")) == ["amd64", "arm64", "s390x"])

        let dry = try h.hoist(["imagetools", "create", "--dry-run", "\(repo)@\(digests["amd64"]!)"])
        #expect(dry.status == 0 && dry.stdout.contains("\"manifests\""), "\(dry.stderr)")
        let untargeted = try h.hoist(["imagetools", "create", "\(repo)@\(digests["amd64"]!)"])
        #expect(untargeted.status == 64 && untargeted.stderr.contains("give at least one -t REF"), "a usage error: \(untargeted.stderr)")
    }
}
