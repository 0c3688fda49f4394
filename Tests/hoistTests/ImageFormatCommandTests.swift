import Foundation
import HoistTestSupport
import Testing

/// How the pushed image is written: --format docker, --annotation, --label and force-compression,
/// each read back from the registry with skopeo.
@Suite struct ImageFormatCommandTests {
    private func raw(_ reference: String, config: Bool = false) throws -> [String: Any] {
        let out = try Shell.check(["skopeo", "inspect", "--tls-verify=false"] + (config ? ["--config"] : ["--raw"]) + ["docker://\(reference)"])
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? [:]
    }

    private func tag(_ h: CLIHarness, _ name: String) -> String { "\(h.fixtures.registry.host)/format/\(name)\(UInt32.random(in: 0...UInt32.max)):1" }

    @Test func formatDockerWritesSchema2AndAManifestListForTwoPlatforms() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nCOPY app.txt /app.txt\n", files: ["app.txt": "docker format\n"])
        let single = tag(h, "single")
        let built = try h.hoist(["assemble", "-q", "--format", "docker", "--push", "-t", single, "."])
        try #require(built.status == 0, "\(built.stderr)")
        let manifest = try raw(single)
        #expect(manifest["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json")
        #expect((manifest["config"] as? [String: Any])?["mediaType"] as? String == "application/vnd.docker.container.image.v1+json")
        let layerTypes = Set(((manifest["layers"] as? [[String: Any]]) ?? []).compactMap { $0["mediaType"] as? String })
        #expect(layerTypes == ["application/vnd.docker.image.rootfs.diff.tar.gzip"])

        guard h.fixtures.hasMultiarch else { return }
        let list = tag(h, "list")
        let listed = try h.hoist(["assemble", "-q", "--format", "docker", "--platform", "linux/amd64,linux/arm64", "--push", "-t", list, "."])
        try #require(listed.status == 0, "\(listed.stderr)")
        let index = try raw(list)
        #expect(index["mediaType"] as? String == "application/vnd.docker.distribution.manifest.list.v2+json")
        let entries = (index["manifests"] as? [[String: Any]]) ?? []
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json" })
    }

    @Test func annotationsGoOnTheManifestAndLabelsOnTheConfig() throws {
        let h = try CLIHarness(dockerfile: "FROM busybox\nLABEL from.file=yes\n")
        let ref = tag(h, "annotated")
        let built = try h.hoist(["assemble", "-q", "--push", "-t", ref, "--annotation", "org.opencontainers.image.source=https://example.com/repo",
                                 "--annotation", "manifest:team=build", "--label", "from.flag=yes", "."])
        try #require(built.status == 0, "\(built.stderr)")
        let annotations = try raw(ref)["annotations"] as? [String: String]
        #expect(annotations == ["org.opencontainers.image.source": "https://example.com/repo", "team": "build"])
        let labels = (try raw(ref, config: true)["config"] as? [String: Any])?["Labels"] as? [String: String]
        #expect(labels == ["from.file": "yes", "from.flag": "yes"])

        let refused = try h.hoist(["assemble", "-q", "--format", "docker", "--annotation", "a=b", "-t", ref, "."])
        expectOneLineError(refused, ["--annotation needs the OCI format"])
    }

    @Test func forceCompressionRecompressesBaseLayersKeepingTheirDiffIDs() throws {
        let h = try CLIHarness(dockerfile: "FROM alpine\nCOPY app.txt /app.txt\n", files: ["app.txt": "zstd everywhere\n"])
        let ref = tag(h, "zstd")
        let built = try h.hoist(["assemble", "-q", "-t", ref, "-o", "type=registry,compression=zstd,force-compression=true", "."])
        try #require(built.status == 0, "\(built.stderr)")
        let layers = (try raw(ref)["layers"] as? [[String: Any]]) ?? []
        #expect(layers.count == 3)
        #expect(layers.allSatisfy { $0["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar+zstd" })
        let diffIDs = ((try raw(ref, config: true)["rootfs"] as? [String: Any])?["diff_ids"] as? [String]) ?? []
        let baseDiffIDs = ((try raw("\(h.fixtures.registry.host)/library/alpine:latest", config: true)["rootfs"] as? [String: Any])?["diff_ids"] as? [String]) ?? []
        #expect(Array(diffIDs.prefix(2)) == baseDiffIDs, "the tar inside is unchanged")
        // Each blob really is zstd, and decompresses to its diffID.
        for (layer, diffID) in zip(layers, diffIDs) {
            let digest = layer["digest"] as? String ?? ""
            let sum = try Shell.check(["sh", "-c", "curl -fsS http://\(h.fixtures.registry.host)/v2/\(ref.split(separator: "/").dropFirst().joined(separator: "/").split(separator: ":")[0])/blobs/\(digest) | zstd -dc | sha256sum"])
            #expect("sha256:" + sum.prefix(64) == diffID)
        }
    }
}
