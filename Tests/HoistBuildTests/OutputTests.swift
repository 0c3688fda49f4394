import Foundation
import HoistBuild
import HoistLayers
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct OutputTests {
    static let dockerfile = "FROM nginx:latest\nCOPY app.txt /srv/app.txt\nCMD [\"cat\", \"/srv/app.txt\"]\n"

    @Test func everyOutputHoldsTheSameImage() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["app.txt": "out\n"])
        let out = try TempDirectory("hoist-outputs")
        let result = try await h.build {
            $0.tags = [try Reference(parsing: "demo/outputs:1")]
            $0.outputs = [.dockerArchive(dest: out.path + "/docker.tar"), .local(dest: out.path + "/rootfs"), .tar(dest: out.path + "/rootfs.tar")]
            $0.iidFile = out.path + "/iid"
            $0.metadataFile = out.path + "/metadata.json"
        }
        // docker-archive: skopeo reads manifest.json and finds the same config and layers.
        let inspect = try Shell.check(["skopeo", "inspect", "--config", "docker-archive:\(out.path)/docker.tar"])
        #expect(inspect.contains("\"cat\"") && inspect.contains("/srv/app.txt"))
        try Shell.check(["tar", "-xf", out.path + "/docker.tar", "-C", out.path, "manifest.json"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + "/manifest.json"))) as! [[String: Any]]
        #expect(manifest[0]["RepoTags"] as? [String] == ["demo/outputs:1"])
        #expect((manifest[0]["Layers"] as? [String])?.count == result.image.layers.count)
        // local: the merged root filesystem, nginx's base included.
        #expect((try? String(contentsOfFile: out.path + "/rootfs/srv/app.txt", encoding: .utf8)) == "out\n")
        #expect(FileManager.default.fileExists(atPath: out.path + "/rootfs/etc/nginx/nginx.conf"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.path + "/rootfs/bin/sh") == "busybox")
        // tar: the same tree.
        let listing = try Shell.check(["tar", "-tf", out.path + "/rootfs.tar"])
        #expect(listing.contains("srv/app.txt") && listing.contains("etc/nginx/nginx.conf") && listing.contains("bin/busybox"))
        // iidfile and metadata.
        #expect(try String(contentsOfFile: out.path + "/iid", encoding: .utf8) == result.image.manifest.config.digest.description)
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + "/metadata.json"))) as! [String: Any]
        #expect(metadata["containerimage.digest"] as? String == result.image.manifestDigest.description)
        #expect(metadata["image.name"] as? String == "docker.io/demo/outputs:1")
    }

    @Test func zstdAndUncompressedLayersReadBack() async throws {
        for (compression, mediaType) in [(LayerCompression.zstd(level: 3), MediaType.ociLayerZstd), (.uncompressed, .ociLayer)] {
            let h = try BuildHarness(dockerfile: "FROM scratch\nCOPY app.txt /app.txt\n", files: ["app.txt": "packed\n"])
            let tag = try h.uniqueTag()
            let result = try await h.build { $0.tags = [tag]; $0.push = true; $0.compression = compression }
            #expect(result.image.layers[0].descriptor.mediaType == mediaType)
            let out = try TempDirectory("hoist-readback")
            // The blob as the registry serves it (skopeo would recompress an uncompressed layer on the way).
            let blob = out.path + "/layer"
            try Shell.check(["curl", "-fsS", "-o", blob, "http://\(tag.domain)/v2/\(tag.path)/blobs/\(result.image.layers[0].descriptor.digest)"])
            #expect(try Shell.check(["sha256sum", blob]).hasPrefix(result.image.layers[0].descriptor.digest.encoded))
            let inspect = try Shell.check(["skopeo", "inspect", "--tls-verify=false", "docker://\(tag)"])
            #expect(inspect.contains(result.image.layers[0].descriptor.digest.description))
            let listing = try Shell.check(["tar", "-tvf", blob] + (compression == .uncompressed ? [] : ["--zstd"]))
            #expect(listing.contains("app.txt"))
        }
    }

    @Test func sourceDateEpochClampsMtimesAndCreated() async throws {
        let h = try BuildHarness(dockerfile: "FROM scratch\nCOPY app.txt /app.txt\n", files: ["app.txt": "old\n"])
        let out = try TempDirectory("hoist-epoch")
        let result = try await h.build { $0.outputs = [.tar(dest: out.path + "/r.tar")]; $0.sourceDateEpoch = 1000 }
        let listing = try Shell.check(["tar", "--full-time", "-tvf", out.path + "/r.tar"])
        #expect(listing.contains("1970-01-01 00:16:40 app.txt"), "\(listing)")
        let config = try CanonicalJSON.decode(ImageConfig.self, from: try Array(Data(contentsOf: URL(fileURLWithPath: h.root.path + "/blobs/sha256/" + result.image.manifest.config.digest.encoded))))
        #expect(config.created == "1970-01-01T00:16:40Z")
    }
}
