import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct DemoBuildTests {
    @Test func demoImagePushedReadsBackWithSkopeoAndUmoci() async throws {
        let h = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "Hello from Hoist\n"])
        let tag = try h.uniqueTag()
        let result = try await h.build { $0.tags = [tag]; $0.push = true }

        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/app.txt") == "Hello from Hoist\n")
        #expect(image.contents("/nginx.conf")?.hasPrefix("worker_processes 1;") == true)
        #expect(image.contents("/etc/alpine-release") == "3.99.0-hoist\n", "alpine's own layers are part of the image")
        #expect(image.exists("/bin/busybox"))
        let meta = try #require(image.metadata("/app.txt"))
        #expect(meta.mode == 0o644 && meta.uid == 0 && meta.gid == 0)
        #expect(image.containerConfig["Env"] as? [String] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"])
        #expect(image.containerConfig["Cmd"] as? [String] == ["cat", "/app.txt"])
        #expect(image.config["architecture"] as? String == "amd64")
        #expect((image.config["rootfs"] as? [String: Any])?["diff_ids"] as? [String] == result.image.layers.map(\.diffID.description))
        #expect(URL(fileURLWithPath: image.manifestPath).lastPathComponent == result.image.manifestDigest.encoded)

        try expectImageSpecValid("image-manifest-schema.json", image.manifestPath)
        try expectImageSpecValid("config-schema.json", image.configPath)
    }

    @Test func builderStageKeepsItsWorkingDirectory() async throws {
        let h = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "x\n"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true; $0.target = "builder" }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.containerConfig["WorkingDir"] as? String == "/src")
        #expect(image.contents("/src/app.txt") == "x\n")
        #expect(image.metadata("/src")?.mode == 0o755)
    }

    @Test func pushOntoTheBaseRegistryMountsInsteadOfUploading() async throws {
        let h = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "mount me\n"])
        // A registry of its own, so its access log shows this build's traffic and nothing else.
        let registry = try TestRegistry()
        try registry.copy(["library/busybox:latest", "library/alpine:latest", "library/nginx:latest"], from: h.registry)
        let conf = h.root.path + "/registries.conf"
        try registry.writeRegistriesConf(to: conf)
        let tag = try h.uniqueTag(in: registry)
        let alpineLayers = try h.remoteLayers("library/alpine:latest", in: registry)
        let nginxLayers = try h.remoteLayers("library/nginx:latest", in: registry)
        let mark = registry.logMark()
        let result = try await h.build { $0.tags = [tag]; $0.push = true; $0.registriesConf = conf }

        let pushedLayers = result.image.layers.map(\.descriptor.digest.description)
        #expect(Array(pushedLayers.prefix(2)) == alpineLayers)
        for layer in alpineLayers {
            let digest = try Digest(parsing: layer)
            #expect(result.stats.mounted.contains(digest))
            #expect(result.stats.uploaded[digest] == nil)
            // The registry's own access log agrees: nobody uploaded a base layer; it was mounted once.
            #expect(registry.accessLog(containing: "digest=\(layer)", since: mark).isEmpty)
            #expect(registry.accessLog(containing: "mount=\(layer)", since: mark).count == 1)
            // COPY reads the base's headers to place its files as BuildKit would: once, at most.
            #expect(registry.accessLog(containing: "GET /v2/library/alpine/blobs/\(layer)", since: mark).count <= 1)
        }
        // COPY --from=nginx needed only nginx's top layer; its busybox layer was never fetched.
        #expect(result.stats.downloaded[try Digest(parsing: nginxLayers[1])] != nil)
        #expect(registry.accessLog(containing: "GET /v2/library/nginx/blobs/\(nginxLayers[0])", since: mark).isEmpty)
        #expect(result.stats.uploadedBytes < 10_000, "only the small COPY and WORKDIR layers and the config are uploaded")
    }

    @Test func aRebuildReadsNoBaseLayerAgain() async throws {
        let h = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "again\n"])
        let tag = try h.uniqueTag()
        let first = try await h.build { $0.tags = [tag]; $0.push = true }
        // A new store keeps nothing but the layer indexes: they alone answer COPY's questions.
        try FileManager.default.removeItem(atPath: h.root.path + "/blobs")
        let second = try await h.build { $0.tags = [tag]; $0.push = true }
        #expect(second.image.manifestDigest == first.image.manifestDigest || second.image.layers == first.image.layers)
        let baseLayers = first.image.layers.filter { if case .remote = $0.source { true } else { false } }
        #expect(!baseLayers.isEmpty)
        for layer in baseLayers {
            #expect(second.stats.downloaded[layer.descriptor.digest] == nil, "\(layer.descriptor.digest) was read again")
        }
    }

    @Test func ociArchiveReadsBackWithSkopeoAndValidates() async throws {
        let h = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "tarball\n"])
        let out = try TempDirectory("hoist-oci")
        let dest = out.path + "/app.tar"
        let result = try await h.build { $0.tags = [try Reference(parsing: "demo/app:1")]; $0.outputs = [.ociArchive(dest: dest)] }

        let inspect = try Shell.check(["skopeo", "inspect", "oci-archive:\(dest)"])
        let json = try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as! [String: Any]
        #expect(json["Digest"] as? String == result.image.manifestDigest.description)
        #expect((json["Layers"] as? [String])?.count == 4)

        try Shell.check(["tar", "-xf", dest, "-C", out.path])
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + "/index.json"))) as! [String: Any]
        let entry = (index["manifests"] as! [[String: Any]])[0]
        #expect((entry["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == "1")
        // Every blob in the archive matches its name.
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path + "/blobs/sha256") {
            let sum = try Shell.check(["sha256sum", out.path + "/blobs/sha256/" + name])
            #expect(sum.hasPrefix(name))
        }
        let unpacked = try UnpackedImage(skopeoSource: "oci-archive:\(dest)", into: out.path + "/read")
        #expect(unpacked.contents("/app.txt") == "tarball\n")
        try expectImageSpecValid("image-layout-schema.json", out.path + "/oci-layout")
        try expectImageSpecValid("image-index-schema.json", out.path + "/index.json")
    }

    @Test func twoBuildsInDifferentDirectoriesGiveTheSameLayerDigests() async throws {
        let a = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "same\n", "extra/x.txt": "x\n"])
        let b = try BuildHarness(dockerfile: demoDockerfile, files: ["app.txt": "same\n", "extra/x.txt": "x\n"])
        #expect(a.context.path != b.context.path)
        let out = try TempDirectory("hoist-repro")
        let first = try await a.build { $0.outputs = [.ociArchive(dest: out.path + "/a.tar")]; $0.sourceDateEpoch = 1_700_000_000 }
        let second = try await b.build { $0.outputs = [.ociArchive(dest: out.path + "/b.tar")]; $0.sourceDateEpoch = 1_700_000_000 }
        #expect(first.image.layers.map(\.descriptor.digest) == second.image.layers.map(\.descriptor.digest))
        #expect(first.image.layers.map(\.diffID) == second.image.layers.map(\.diffID))
        #expect(first.image.manifestDigest == second.image.manifestDigest, "with SOURCE_DATE_EPOCH the whole image is identical")
        let third = try await b.build { $0.outputs = [.ociArchive(dest: out.path + "/c.tar")] }
        #expect(third.image.layers.map(\.descriptor.digest) == first.image.layers.map(\.descriptor.digest), "layer digests do not depend on the clock")
    }
}
