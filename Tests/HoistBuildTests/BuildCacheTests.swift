import Foundation
import HoistBuild
import HoistLayers
import HoistOCI
import HoistTestSupport
import Testing

/// `--cache-to` / `--cache-from` against the fixture registry: two `HOIST_ROOT`s are two machines.
@Suite struct BuildCacheTests {
    static let dockerfile = """
        FROM busybox:latest
        WORKDIR /work
        COPY f /work/f
        RUN echo built > /work/out && cat /work/f >> /work/out
        CMD ["cat", "/work/out"]

        """

    /// Log and warning lines of one build.
    /// Builds with `root` as the machine's state; returns the result, the log and the warnings.
    func build(_ h: BuildHarness, root: String, _ edit: (inout BuildOptions) throws -> Void) async throws -> (BuildResult, LogLines, LogLines) {
        let log = LogLines(), warnings = LogLines()
        var options = try h.options(edit)
        options.root = URL(fileURLWithPath: root)
        let result = try await Builder(options: options, log: { log.add($0) }, warn: { warnings.add($0) }).run()
        return (result, log, warnings)
    }

    func cacheRef(_ h: BuildHarness) throws -> CacheSpec {
        try CacheSpec(parsing: "type=registry,ref=\(h.registry.host)/cache/c\(UInt32.random(in: 0...UInt32.max)):1,mode=max", exporting: true)
    }

    @Test func cacheWrittenByOneRootIsReadByAnotherWithoutRunningOrDownloadingBaseLayers() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["f": "one\n"])
        let cache = try cacheRef(h)
        let (a, _, _) = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache] }
        let machineB = try TempDirectory("hoist-root-b")
        let (b, log, warnings) = try await build(h, root: machineB.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [cache]
        }
        #expect(b.digest == a.digest, "the same image as machine A, created time included")
        #expect(b.baseLayerBytesDownloaded == 0)
        for step in ["WORKDIR CACHED", "COPY CACHED", "RUN CACHED"] { #expect(log.contains(step), "\(step) in \(log.all)") }
        #expect(!log.contains("RUN took"), "no command ran")
        #expect(warnings.all.isEmpty, "\(warnings.all)")
    }

    @Test func aMissNamesTheInputThatChanged() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest
            ARG FLAVOUR=plain
            COPY f /f
            RUN echo $FLAVOUR > /flavour

            """, files: ["f": "one\n"])
        let cache = try cacheRef(h)
        _ = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache] }
        let machineB = try TempDirectory("hoist-root-b")
        let (_, log, _) = try await build(h, root: machineB.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [cache]; $0.buildArgs = ["FLAVOUR": "spicy"]
        }
        #expect(log.contains("line 3: COPY CACHED"))
        #expect(log.contains("line 4: RUN not cached: build arg FLAVOUR changed"), "\(log.all)")

        _ = try h.context.file("f", "two\n")
        let machineC = try TempDirectory("hoist-root-c")
        let (_, logC, _) = try await build(h, root: machineC.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [cache] }
        #expect(logC.contains("line 3: COPY not cached: file f changed"), "\(logC.all)")
        #expect(logC.contains("line 4: RUN not cached: the layers below changed"))
    }

    @Test func aChangedContextFileReadsBaseLayerHeadersFromTheCache() async throws {
        // The seed's no-RUN shape: COPY onto a base must know the base's directories, which a
        // cold machine would download the base for; the cache carries the layers' indexes.
        let h = try BuildHarness(dockerfile: "FROM nginx:latest\nCOPY f /etc/nginx/f\n", files: ["f": "one\n"])
        let cache = try cacheRef(h)
        _ = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache] }
        _ = try h.context.file("f", "two\n")
        let machineB = try TempDirectory("hoist-root-b")
        let (b, log, _) = try await build(h, root: machineB.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [cache] }
        #expect(log.contains("COPY not cached: file f changed"))
        #expect(b.baseLayerBytesDownloaded == 0, "\(b.stats.downloaded)")
        let cold = try TempDirectory("hoist-root-cold")
        let (c, _, _) = try await build(h, root: cold.path) { $0.tags = [try h.uniqueTag()]; $0.push = true }
        #expect(c.baseLayerBytesDownloaded > 0, "without the cache the base is read for its headers")
    }

    @Test func modeMinKeepsOnlyTheFinalImagesSteps() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest AS tools
            RUN echo tool > /tool
            FROM busybox:latest
            RUN echo final > /final
            COPY --from=tools /tool /tool

            """)
        var cache = try cacheRef(h)
        cache.mode = .min
        _ = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache] }
        let machineB = try TempDirectory("hoist-root-b")
        let (_, log, _) = try await build(h, root: machineB.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [cache] }
        #expect(log.contains("line 2: RUN not cached: no earlier result for this step"), "\(log.all)")
        #expect(log.contains("line 4: RUN CACHED"), "\(log.all)")
    }

    /// Without any cache flag, a rebuild on one machine still reuses WORKDIR and COPY --from:
    /// their keys are the layers below and the source's layer digests, cheaper than the work.
    /// A context COPY is made again (hashing its files costs what copying them does).
    @Test func workdirAndCopyFromAreKeptOnThisMachineWithoutACache() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox:latest AS src
            COPY f /f
            FROM busybox:latest
            WORKDIR /work
            COPY --from=src /f /work/g
            COPY f /work/f

            """, files: ["f": "one\n"])
        let machine = try TempDirectory("hoist-machine")
        let (first, _, _) = try await build(h, root: machine.path) { $0.outputs = [.ociArchive(dest: h.root.path + "/1.tar")] }
        let (again, log, _) = try await build(h, root: machine.path) { $0.outputs = [.ociArchive(dest: h.root.path + "/2.tar")] }
        #expect(again.image.manifestDigest == first.image.manifestDigest)
        #expect(log.contains("line 4: WORKDIR CACHED"), "\(log.all)")
        #expect(log.contains("line 5: COPY CACHED"), "\(log.all)")
        #expect(!log.contains("line 6: COPY CACHED"), "\(log.all)")
        // The source stage's file changes: its layer does, so the COPY --from is made again.
        try "two\n".write(toFile: h.context.path + "/f", atomically: true, encoding: .utf8)
        let (changed, changedLog, _) = try await build(h, root: machine.path) { $0.outputs = [.ociArchive(dest: h.root.path + "/3.tar")] }
        #expect(changedLog.contains("line 5: COPY not cached"), "\(changedLog.all)")
        #expect(changed.image.manifestDigest != first.image.manifestDigest)
    }

    @Test func localCacheDirectoryIsWrittenAndRead() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["f": "one\n"])
        let directory = try TempDirectory("hoist-cache-dir")
        let to = try CacheSpec(parsing: "type=local,dest=\(directory.path)/c,mode=max", exporting: true)
        let from = try CacheSpec(parsing: "type=local,src=\(directory.path)/c", exporting: false)
        let out = try TempDirectory("hoist-oci")
        let (a, _, _) = try await build(h, root: h.root.path) { $0.outputs = [.ociArchive(dest: out.path + "/a.tar")]; $0.cacheTo = [to] }
        let index = try String(contentsOfFile: directory.path + "/c/index.json", encoding: .utf8)
        #expect(index.contains("\"org.opencontainers.image.ref.name\":\"latest\""), "an OCI layout tagged latest, as buildx writes it")
        let machineB = try TempDirectory("hoist-root-b")
        let (b, log, _) = try await build(h, root: machineB.path) { $0.outputs = [.ociArchive(dest: out.path + "/b.tar")]; $0.cacheFrom = [from] }
        #expect(b.digest == a.digest)
        #expect(log.contains("RUN CACHED"))
    }

    @Test func theOlderIndexEnvelopeIsWrittenAndReadAndTheCacheKeepsTheBuildsCompression() async throws {
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["f": "one\n"])
        let directory = try TempDirectory("hoist-cache-dir")
        let to = try CacheSpec(parsing: "type=local,dest=\(directory.path)/c,mode=max,image-manifest=false,compression=zstd", exporting: true)
        let (_, _, warnings) = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [to] }
        #expect(warnings.contains("compression=zstd is ignored"), "\(warnings.all)")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/c/index.json"))) as! [String: Any]
        let top = (index["manifests"] as! [[String: Any]])[0]
        #expect(top["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        let digest = (top["digest"] as! String).dropFirst("sha256:".count)
        let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/c/blobs/sha256/\(digest)"))) as! [String: Any]
        let types = (envelope["manifests"] as! [[String: Any]]).map { $0["mediaType"] as! String }
        #expect(types.contains("application/vnd.buildkit.cacheconfig.v0"))
        #expect(types.contains("application/vnd.oci.image.layer.v1.tar+gzip") && !types.contains("application/vnd.oci.image.layer.v1.tar+zstd"), "\(types)")

        let from = try CacheSpec(parsing: "type=local,src=\(directory.path)/c", exporting: false)
        let machineB = try TempDirectory("hoist-root-b")
        let (_, log, warningsB) = try await build(h, root: machineB.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [from] }
        #expect(log.contains("RUN CACHED"), "\(log.all)")
        #expect(warningsB.all.isEmpty, "\(warningsB.all)")
        // A zstd build does not take the gzip results: its keys differ.
        let machineC = try TempDirectory("hoist-root-c")
        let (_, logC, _) = try await build(h, root: machineC.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [from]; $0.compression = try LayerCompression(parsing: "zstd")
        }
        #expect(!logC.contains("CACHED") && logC.contains("RUN not cached: compression changed"), "\(logC.all)")
    }

    @Test func buildKitFormatCacheIsReadAndMissedWithoutError() async throws {
        // A cache as BuildKit's spec (cache/remotecache/v1/spec.go) writes it: one gzip layer, a
        // record whose key is BuildKit's, an input link to a parent record. Pushed with skopeo.
        let h = try BuildHarness(dockerfile: Self.dockerfile, files: ["f": "one\n"])
        let layout = try TempDirectory("hoist-bk-cache")
        _ = try layout.file("payload/x", "x\n")
        _ = try Shell.check(["sh", "-c", "cd \(layout.path) && tar -C payload -cf layer.tar x && gzip -n -k layer.tar && mkdir -p oci/blobs/sha256"])
        func add(_ path: String) throws -> (String, Int) {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let digest = Digest.sha256(of: Array(data))
            try data.write(to: URL(fileURLWithPath: "\(layout.path)/oci/blobs/sha256/\(digest.encoded)"))
            return (digest.description, data.count)
        }
        let (layer, layerSize) = try add(layout.path + "/layer.tar.gz")
        let diffID = Digest.sha256(of: Array(try Data(contentsOf: URL(fileURLWithPath: layout.path + "/layer.tar")))).description
        let config = """
            {"layers":[{"blob":"\(layer)","parent":-1,"annotations":{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","diffID":"\(diffID)","size":\(layerSize),"createdAt":"2025-01-01T00:00:00Z"}}],
            "records":[{"digest":"sha256:\(String(repeating: "1", count: 64))"},
            {"layers":[{"layer":0,"createdAt":"2025-01-01T00:00:00Z"}],"digest":"sha256:\(String(repeating: "2", count: 64))","inputs":[[{"selector":"","link":0}]]}]}
            """
        _ = try layout.file("config.json", config)
        let (configDigest, configSize) = try add(layout.path + "/config.json")
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":"\(configDigest)","size":\(configSize)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(layer)","size":\(layerSize)}]}
            """
        _ = try layout.file("manifest.json", manifest)
        let (manifestDigest, manifestSize) = try add(layout.path + "/manifest.json")
        _ = try layout.file("oci/oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        _ = try layout.file("oci/index.json", """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(manifestDigest)","size":\(manifestSize)}]}
            """)
        let ref = "\(h.registry.host)/cache/buildkit\(UInt32.random(in: 0...UInt32.max)):1"
        _ = try Shell.check(["skopeo", "copy", "-q", "--dest-tls-verify=false", "oci:\(layout.path)/oci", "docker://\(ref)"])

        let (_, log, warnings) = try await build(h, root: h.root.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [try CacheSpec(parsing: "type=registry,ref=\(ref)", exporting: false)]
        }
        #expect(warnings.all.isEmpty, "\(warnings.all)")
        #expect(log.contains("0 step(s) and 0 layer index(es) from \(ref)"), "\(log.all)")
        #expect(log.contains("RUN not cached"))
    }

    @Test func concurrentExportsToOneRefLeaveOneCompleteCache() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nARG N\nRUN echo $N > /n\n")
        let cache = try cacheRef(h)
        let rootB = try TempDirectory("hoist-root-b")
        async let one = build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache]; $0.buildArgs = ["N": "1"] }
        async let two = build(h, root: rootB.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache]; $0.buildArgs = ["N": "2"] }
        _ = try await (one, two)
        guard case let .registry(ref) = cache.location else { return }
        // Every blob the manifest names is there: skopeo copies the whole cache.
        let copy = try TempDirectory("hoist-cache-copy")
        _ = try Shell.check(["skopeo", "copy", "-q", "--src-tls-verify=false", "docker://\(ref)", "oci:\(copy.path)/c:1"])
        // And it is one build's cache: one of the two variants is fully cached on a third machine.
        var hits = 0
        for n in ["1", "2"] {
            let machine = try TempDirectory("hoist-root-n")
            let (_, log, _) = try await build(h, root: machine.path) {
                $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [try CacheSpec(parsing: "type=registry,ref=\(ref)", exporting: false)]
                $0.buildArgs = ["N": n]
            }
            if log.contains("RUN CACHED") { hits += 1 }
        }
        #expect(hits == 1)
    }

    @Test func corruptedCachedLayerIsRefusedAndTheStepRuns() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nRUN echo made > /made\n")
        let cache = try cacheRef(h)
        let (a, _, _) = try await build(h, root: h.root.path) { $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheTo = [cache] }
        // Same size, other bytes, in the registry's own storage.
        let runLayer = try #require(a.image.layers.last).descriptor.digest
        let blob = "\(h.registry.dataDirectory)/docker/registry/v2/blobs/sha256/\(runLayer.encoded.prefix(2))/\(runLayer.encoded)/data"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: blob)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: blob))

        let machineB = try TempDirectory("hoist-root-b")
        let out = try TempDirectory("hoist-oci")
        let (_, log, warnings) = try await build(h, root: machineB.path) {
            $0.outputs = [.ociArchive(dest: out.path + "/b.tar")]
            $0.cacheFrom = [try CacheSpec(parsing: cache.locationText, exporting: false)]
        }
        #expect(warnings.contains("is refused"), "\(warnings.all)")
        #expect(log.contains("RUN took"), "the step ran: \(log.all)")
        let image = try UnpackedImage(skopeoSource: "oci-archive:\(out.path)/b.tar", into: out.path + "/rootfs")
        #expect(image.contents("/made") == "made\n")
    }

    @Test func unreachableCacheOnlyWarnsAndAFailedExportFailsUnlessIgnored() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY f /f\n", files: ["f": "x\n"])
        let nowhere = "127.0.0.1:\(TestRegistry.freePort())/cache:1"
        let (_, _, warnings) = try await build(h, root: h.root.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true; $0.cacheFrom = [try CacheSpec(parsing: "type=registry,ref=\(nowhere)", exporting: false)]
            $0.insecureRegistries = ["127.0.0.1"]
        }
        #expect(warnings.contains("cache \(nowhere) cannot be read, building without it"), "\(warnings.all)")

        let (_, _, ignored) = try await build(h, root: h.root.path) {
            $0.tags = [try h.uniqueTag()]; $0.push = true
            $0.cacheTo = [try CacheSpec(parsing: "type=registry,ref=\(nowhere),ignore-error=true", exporting: true)]
        }
        #expect(ignored.contains("cache export to \(nowhere) failed (ignore-error=true)"), "\(ignored.all)")

        await #expect(throws: (any Error).self) {
            _ = try await build(h, root: h.root.path) {
                $0.tags = [try h.uniqueTag()]; $0.push = true
                $0.cacheTo = [try CacheSpec(parsing: "type=registry,ref=\(nowhere)", exporting: true)]
            }
        }
    }

    @Test func badCacheSpecsSayWhatIsWrong() throws {
        #expect(throws: BuildError.self) { try CacheSpec(parsing: "type=inline", exporting: true) }
        #expect(throws: BuildError.self) { try CacheSpec(parsing: "type=registry,ref=r/x:1,mode=all", exporting: true) }
        #expect(throws: BuildError.self) { try CacheSpec(parsing: "type=local,src=/x", exporting: true) }
        #expect(throws: BuildError.self) { try CacheSpec(parsing: "type=registry", exporting: false) }
        do {
            _ = try CacheSpec(parsing: "type=registry,ref=r/x:1,mode=all", exporting: true)
        } catch {
            #expect("\(error)" == "--cache-to type=registry,ref=r/x:1,mode=all: mode=all: expected min or max")
        }
        let bare = try CacheSpec(parsing: "example.com/app:cache", exporting: false)
        #expect(bare.location == .registry(try Reference(parsing: "example.com/app:cache")))
    }
}

extension CacheSpec {
    /// The `--cache-from` text for this spec's location.
    var locationText: String {
        switch location {
        case let .registry(reference): "type=registry,ref=\(reference)"
        case let .local(directory, tag): "type=local,src=\(directory),tag=\(tag)"
        }
    }
}
