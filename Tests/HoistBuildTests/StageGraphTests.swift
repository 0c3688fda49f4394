import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

/// Stages that do not depend on each other run at once; the result is the same as one after another.
@Suite struct StageGraphTests {
    static let threeStages = """
        FROM busybox AS a
        RUN sleep 1 && echo a > /a
        FROM busybox AS b
        RUN sleep 1 && echo b > /b
        FROM busybox AS c
        RUN sleep 1 && echo c > /c
        FROM busybox
        COPY --from=a /a /a
        COPY --from=b /b /b
        COPY --from=c /c /c
        """

    @Test func parallelAndSequentialBuildsGiveTheSameImage() async throws {
        let parallel = try BuildHarness(dockerfile: Self.threeStages)
        let sequential = try BuildHarness(dockerfile: Self.threeStages)
        let one = try await parallel.build { $0.sourceDateEpoch = 1_700_000_000 }
        let other = try await sequential.build {
            $0.sourceDateEpoch = 1_700_000_000
            $0.jobs = 1
        }
        #expect(one.digest == other.digest)
        #expect(one.image.configBytes == other.image.configBytes, "same history and diffIDs")
    }

    /// Two platforms built at once give the index that one after another gives.
    @Test func platformsAtOnceGiveTheSameIndexAsOneAfterAnother() async throws {
        let dockerfile = "FROM multiarch:latest AS base\nARG TARGETARCH\nCOPY app.txt /app-$TARGETARCH.txt\nFROM base\nCOPY --from=nginx /etc/nginx/nginx.conf /etc/\n"
        let together = try BuildHarness(dockerfile: dockerfile, files: ["app.txt": "both\n"])
        try #require(together.fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let apart = try BuildHarness(dockerfile: dockerfile, files: ["app.txt": "both\n"])
        let platforms = [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64")]
        let one = try await together.build {
            $0.platforms = platforms
            $0.sourceDateEpoch = 1_700_000_000
        }
        let other = try await apart.build {
            $0.platforms = platforms
            $0.sourceDateEpoch = 1_700_000_000
            $0.jobs = 1
        }
        #expect(one.index != nil && one.digest == other.digest)
        #expect(one.images.map(\.manifestDigest) == other.images.map(\.manifestDigest))
    }

    /// Each stage's RUN waits until all three have started (files in a shared cache mount): built
    /// one after another, the first would wait in vain and fail after a minute.
    @Test func independentStagesRunAtTheSameTime() async throws {
        let stage = { (name: String) in
            """
            FROM busybox AS \(name)
            RUN --mount=type=cache,target=/sync,id=rendezvous-\(UInt32.random(in: 0...UInt32.max)),sharing=shared \\
                touch /sync/\(name) && i=0; while [ ! -e /sync/a ] || [ ! -e /sync/b ] || [ ! -e /sync/c ]; do \\
                i=$((i+1)); [ $i -lt 600 ] || exit 7; sleep 0.1; done; echo \(name) > /\(name)
            """
        }
        let id = UInt32.random(in: 0...UInt32.max)
        let dockerfile = ["a", "b", "c"].map(stage).joined(separator: "\n").replacingOccurrences(of: #"rendezvous-\d+"#, with: "rendezvous-\(id)",
                                                                                               options: .regularExpression)
            + "\nFROM busybox\nCOPY --from=a /a /a\nCOPY --from=b /b /b\nCOPY --from=c /c /c\n"
        let h = try BuildHarness(dockerfile: dockerfile)
        let result = try await h.build { _ in }
        #expect(result.image.layers.count == 4, "busybox and three COPY layers")
    }

    /// A stage fails while another waits for a base layer that the registry is slow to send: the
    /// download is abandoned (nobody needs it any more), so the build ends with the failure and
    /// the layer never lands in the store. Waiting for it would have stored it.
    @Test func aFailureAbandonsDownloadsNobodyNeeds() async throws {
        let fixtures = try Fixtures.shared()
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let h = try BuildHarness(dockerfile: """
            FROM \(proxy.host)/library/alpine AS slow
            RUN true
            FROM busybox AS broken
            RUN sleep 1 && exit 3
            FROM scratch
            COPY --from=slow /etc/hostname /a
            COPY --from=broken /etc/hostname /b
            """)
        // alpine's own layer (its first is busybox's, which the other stage reads straight away).
        let slowLayer = try #require(try h.remoteLayers("library/alpine").last)
        try proxy.setRules([["method": "GET", "path": "/blobs/\(slowLayer)", "action": "delay", "seconds": 20, "times": 10]])
        await #expect { _ = try await h.build { _ in } } throws: { "\($0)".contains("exit code: 3") }
        let hex = slowLayer.split(separator: ":").last.map(String.init) ?? ""
        #expect(!FileManager.default.fileExists(atPath: h.root.path + "/blobs/sha256/" + hex), "\(slowLayer) was abandoned, not stored")
        // The abandoned download stops at libcurl's next progress call (about a second) and removes
        // its partial file; finishing it would take the 20 s the registry waits.
        var ingest: [String] = ["…"]
        for _ in 0..<50 where !ingest.isEmpty {
            ingest = (try? FileManager.default.contentsOfDirectory(atPath: h.root.path + "/ingest")) ?? []
            if !ingest.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ingest.isEmpty, "the partial download is removed: \(ingest)")
        #expect(!FileManager.default.fileExists(atPath: h.root.path + "/blobs/sha256/" + hex), "and never stored")
    }

    /// The same RUN in two stages at once runs once: the second waits for the first's result, as
    /// one stage after another would reuse it. The command's output differs on every run.
    @Test func theSameRunInTwoStagesRunsOnce() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM busybox AS one
            RUN cat /proc/sys/kernel/random/uuid > /id && sleep 1
            FROM busybox AS two
            RUN cat /proc/sys/kernel/random/uuid > /id && sleep 1
            FROM scratch
            COPY --from=one /id /one
            COPY --from=two /id /two
            """)
        let tag = try h.uniqueTag()
        _ = try await h.build {
            $0.tags = [tag]
            $0.push = true
        }
        let out = try TempDirectory("hoist-same-run")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        let one = try #require(image.contents("/one"))
        #expect(one.count == 37 && image.contents("/two") == one, "both stages' /id is the one RUN's: \(one)")
    }

    /// A stage that fails while another runs a long command (as another user, whose parent-death
    /// signal the kernel clears on setuid): the long one is killed, the error is the failing
    /// stage's with its line, and no process, mount or scratch directory is left.
    @Test func aFailingStageStopsTheOthersCleanly() async throws {
        // A duration no other process uses, to find the command by.
        let marker = "sleep \(Int.random(in: 900_000...999_999))"
        let h = try BuildHarness(dockerfile: """
            FROM busybox AS long
            USER 65534:65534
            RUN \(marker)
            FROM busybox AS broken
            RUN sleep 1 && exit 3
            FROM busybox
            COPY --from=long /etc/hostname /a
            COPY --from=broken /etc/hostname /b
            """)
        await #expect { _ = try await h.build { _ in } } throws: { error in
            let text = "\(error)"
            return text.contains(":5") && text.contains("exit code: 3") && !text.contains(marker)
        }
        // The kill is sent before the build returns; give the kernel a moment to reap the namespace.
        var alive = true
        for _ in 0..<50 where alive {
            alive = try Shell.run(["pgrep", "-f", marker]).status == 0
            if alive { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!alive, "the long RUN's process is gone")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(h.root.path), "no mount under the build's root is left")
        let ingest = (try? FileManager.default.contentsOfDirectory(atPath: h.root.path + "/ingest")) ?? []
        #expect(ingest.filter { $0.hasPrefix("run-") }.isEmpty, "no RUN scratch directory is left: \(ingest)")
    }
}
