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

    /// An OCI archive holds the base's blobs: the download being unpacked is stored on the way,
    /// not downloaded a second time for the archive.
    @Test func aRunBaseUnpackedForAnArchiveIsDownloadedOnceAndStored() async throws {
        try await BuildHarness(dockerfile: "FROM busybox:latest\nRUN echo ran > /out\n").expectAnArchiveDownloadsBusyboxOnceAndStoresIt()
    }

    @Test func aBaseLayerCutWhileItUnpacksIsFetchedAgainAndTheImageIsTheSame() async throws {
        let runs = try await BuildHarness.cuttingBaseLayer { "FROM \($0)/library/busybox:latest\nRUN echo ran > /out\n" }
        BuildHarness.expectTheCutChangesNothing(runs)
    }

    /// The same, when the outputs need the blob: the fallback fetches it into the store.
    @Test func aBaseLayerCutWhileItUnpacksForAnArchiveIsFetchedAgainIntoTheStore() async throws {
        let runs = try await BuildHarness.cuttingBaseLayer(archive: true) { "FROM \($0)/library/busybox:latest\nRUN echo ran > /out\n" }
        BuildHarness.expectTheCutChangesNothing(runs)
    }
}
