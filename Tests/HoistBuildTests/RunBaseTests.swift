import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

/// The base layers of a stage that runs commands: unpacked as they download, indexed in the same
/// pass, their blobs never stored when nothing needs them.
@Suite struct RunBaseTests {
    @Test func aRunBasesLayerIsDownloadedOnceAndItsBlobIsNeverStored() async throws {
        // WORKDIR asks the base a question before the RUN unpacks it: both come from one download.
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nWORKDIR /work\nRUN echo ran > /work/out\n")
        let sizes = try h.remoteLayerSizes("library/busybox:latest")
        let layer = try #require(sizes.keys.first)
        let result = try await h.build {
            $0.tags = [try h.uniqueTag()]
            $0.push = true
        }
        #expect(result.stats.downloaded[layer] == sizes[layer], "once: \(result.stats.downloaded)")
        #expect(!FileManager.default.fileExists(atPath: h.root.path + "/blobs/\(layer.algorithm)/\(layer.encoded)"),
                "the push mounts the base: its blob has no reason to be stored")
    }

    @Test func aBaseLayerCutWhileItUnpacksIsFetchedAgainAndTheImageIsTheSame() async throws {
        let fixtures = try Fixtures.shared()
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let dockerfile = "FROM \(proxy.host)/library/busybox:latest\nRUN echo ran > /out\n"
        let layer = try #require(try BuildHarness(dockerfile: dockerfile).remoteLayers("library/busybox:latest").last)
        func build() async throws -> (Digest, [String]) {
            let h = try BuildHarness(dockerfile: dockerfile)
            let before = proxy.log.count
            let result = try await h.build {
                $0.tags = [try Reference(parsing: "\(proxy.host)/demo/unpack\(UInt32.random(in: 0...UInt32.max)):1")]
                $0.push = true
                $0.sourceDateEpoch = 1_700_000_000
            }
            return (result.digest, proxy.log.dropFirst(before).filter { $0.hasPrefix("GET ") && $0.contains(layer) })
        }
        let (clean, cleanGets) = try await build()
        #expect(cleanGets.count == 1, "\(cleanGets)")
        try proxy.setRules([["id": "cut", "method": "GET", "path": "/blobs/\(layer)", "action": "truncate", "times": 1]])
        let (cut, cutGets) = try await build()
        #expect(cut == clean)
        #expect(cutGets.count >= 2 && cutGets[0].contains("truncate"), "\(cutGets)")
    }
}
