import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct ExternalImageTests {
    @Test func copyFromExternalImageHonoursWhiteoutsAndOpaqueDirectories() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            COPY --from=whiteout:latest /etc/wh /wh/
            COPY --from=whiteout:latest /opt/opq /opq/

            """)
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/wh/b") == "b\n")
        #expect(!image.exists("/wh/a"), "a .wh.a whiteout in the top layer deletes /etc/wh/a")
        #expect(image.contents("/opq/z") == "z\n")
        #expect(!image.exists("/opq/x") && !image.exists("/opq/y"), "the opaque marker hides the lower layers' /opt/opq")
    }

    @Test func copyFromExternalImageReadsOnlyTheLayersItNeeds() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf

            """)
        let nginx = try h.remoteLayers("library/nginx:latest")
        let out = try TempDirectory("hoist-oci")
        let result = try await h.build { $0.outputs = [.ociArchive(dest: out.path + "/x.tar")] }
        #expect(result.stats.downloaded[try Digest(parsing: nginx[1])] != nil)
        #expect(result.stats.downloaded[try Digest(parsing: nginx[0])] == nil, "the busybox layer under nginx.conf is never fetched")
        #expect(result.image.layers.count == 1)
    }

    /// A base layer is indexed while it downloads, with one GET and nothing on disk. A download cut
    /// part way is fetched again the way that resumes and verifies, and the image is the same.
    @Test func aBaseLayerCutWhileItIsIndexedIsFetchedAgainAndTheImageIsTheSame() async throws {
        let runs = try await BuildHarness.cuttingBaseLayer { "FROM \($0)/library/busybox:latest\nCOPY app.txt /app.txt\n" }
        BuildHarness.expectTheCutChangesNothing(runs)
    }

    /// A base without RUN is read for its index only; when an archive will hold its blob, the
    /// download being indexed is stored on the way, not downloaded a second time for the archive.
    @Test func aBaseIndexedForAnArchiveIsDownloadedOnceAndStored() async throws {
        try await BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "a\n"])
            .expectAnArchiveDownloadsBusyboxOnceAndStoresIt()
    }

    /// The layer a file is copied out of is downloaded once: reading it for its index stores it,
    /// and two platforms reading one single-platform image share its indexes.
    @Test func copyFromExternalImageDownloadsTheLayerItReadsOnce() async throws {
        let dockerfile = "FROM multiarch:latest\nCOPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf\n"
        let h = try BuildHarness(dockerfile: dockerfile)
        let sizes = try h.remoteLayerSizes("library/nginx:latest")
        let top = try Digest(parsing: try h.remoteLayers("library/nginx:latest").last!)
        let single = try await h.build { $0.outputs = [.ociArchive(dest: h.root.path + "/one.tar")] }
        #expect(single.stats.downloaded[top] == sizes[top], "once, not once for the index and again for the body")

        try #require(h.fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let fresh = try BuildHarness(dockerfile: dockerfile)
        let both = try await fresh.build {
            $0.platforms = [try Platform(parsing: "linux/amd64"), try Platform(parsing: "linux/arm64")]
            $0.outputs = [.ociArchive(dest: fresh.root.path + "/two.tar")]
        }
        #expect(both.stats.downloaded[top] == sizes[top], "nginx is amd64 only, so both platforms read the same layer: once")
    }

    @Test func platformChoosesTheMatchingEntryOfAnIndex() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM multiarch:latest
            LABEL built=yes

            """)
        try #require(h.fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let index = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(h.registry.host)/library/multiarch:latest"])
        let manifests = (try JSONSerialization.jsonObject(with: Data(index.utf8)) as! [String: Any])["manifests"] as! [[String: Any]]
        let arm = manifests.first { ($0["platform"] as? [String: Any])?["architecture"] as? String == "arm64" }!["digest"] as! String

        let out = try TempDirectory("hoist-oci")
        let result = try await h.build {
            $0.platform = try Platform(parsing: "linux/arm64")
            $0.outputs = [.ociArchive(dest: out.path + "/arm.tar")]
        }
        let config = try CanonicalJSON.decode(ImageConfig.self, from: try Array(Data(contentsOf: URL(fileURLWithPath: h.root.path + "/blobs/sha256/" + result.image.manifest.config.digest.encoded))))
        #expect(config.architecture == "arm64")
        let armManifest = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(h.registry.host)/library/multiarch@\(arm)"])
        let armLayer = ((try JSONSerialization.jsonObject(with: Data(armManifest.utf8)) as! [String: Any])["layers"] as! [[String: Any]])[0]["digest"] as! String
        #expect(result.image.layers.first?.descriptor.digest.description == armLayer)
    }

    @Test func unusedBrokenStageNeverFailsTheBuild() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM does-not-exist:never AS unused
            COPY nothing-here /x
            FROM busybox:latest AS used
            COPY app.txt /app.txt

            """, files: ["app.txt": "ok\n"])
        let out = try TempDirectory("hoist-oci")
        let result = try await h.build { $0.target = "used"; $0.outputs = [.ociArchive(dest: out.path + "/x.tar")] }
        #expect(result.image.layers.count == 2)
    }

    @Test func chownByNameReadsTheStagesPasswdAndGroup() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest
            COPY --chown=app:staff --chmod=0640 app.txt /home/app/app.txt
            COPY --chown=1234 app.txt /numeric.txt

            """, files: ["app.txt": "owned\n"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        let named = try #require(image.metadata("/home/app/app.txt"))
        #expect(named.uid == 1000 && named.gid == 50 && named.mode == 0o640)
        let numeric = try #require(image.metadata("/numeric.txt"))
        #expect(numeric.uid == 1234 && numeric.gid == 1234)
    }

    @Test func copyOfADirectoryAndWildcardsFollowsBuildKitsRules() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            WORKDIR /app
            COPY conf/ ./etc/
            COPY *.txt docs/
            COPY --from=busybox:latest /bin/sh /bin/linked-sh

            """, files: ["conf/a.conf": "a\n", "conf/sub/b.conf": "b\n", "one.txt": "1\n", "two.txt": "2\n"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/app/etc/a.conf") == "a\n")
        #expect(image.contents("/app/etc/sub/b.conf") == "b\n")
        #expect(!image.exists("/app/etc/conf"), "a directory source copies its contents, not itself")
        #expect(image.contents("/app/docs/one.txt") == "1\n")
        #expect(image.contents("/app/docs/two.txt") == "2\n")
        // /bin/sh is a symlink to busybox in the base: the source path is followed to the file.
        var st = stat()
        #expect(lstat(image.rootfs + "/bin/linked-sh", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        #expect(st.st_size > 100_000)
    }
}
