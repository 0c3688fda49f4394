import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistRegistry

struct RegistryClientTests {
    let fixtures: Fixtures
    let root: TempDirectory
    let client: RegistryClient

    init() throws {
        fixtures = try Fixtures.shared()
        root = try TempDirectory("hoist-registry-client")
        // No registries.conf: a loopback host is tried over HTTPS first, then plain HTTP, as docker does.
        client = RegistryClient(conf: RegistriesConf(), store: try ContentStore(root: URL(fileURLWithPath: root.path)))
    }

    @Test func resolvesAnIndexToThePlatformsManifestAndConfigOnly() async throws {
        try #require(fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let ref = try Reference(parsing: "\(fixtures.registry.host)/library/multiarch:latest")
        let arm = try await client.resolve(ref, shortName: false, platform: try Platform(parsing: "linux/arm64"))
        let amd = try await client.resolve(ref, shortName: false, platform: try Platform(parsing: "linux/amd64"))
        let architectures = [arm.config.architecture, amd.config.architecture]
        #expect(architectures == ["arm64", "amd64"])
        #expect(arm.manifestDigest != amd.manifestDigest)
        let stats = await client.stats
        #expect(Set(stats.downloaded.keys) == [arm.manifest.config.digest, amd.manifest.config.digest], "only configs are downloaded, no layer")
        #expect(await client.schemes[fixtures.registry.host] == "http")
    }

    @Test func noMatchingPlatformListsWhatTheIndexOffers() async throws {
        try #require(fixtures.hasMultiarch, "the arm64 busybox fixture is missing: run Testdata/fetch-arm64-busybox.sh")
        let ref = try Reference(parsing: "\(fixtures.registry.host)/library/multiarch:latest")
        do {
            _ = try await client.resolve(ref, shortName: false, platform: try Platform(parsing: "linux/s390x"))
            Issue.record("resolved a platform the index does not have")
        } catch {
            #expect("\(error)".contains("has no image for linux/s390x; it offers: linux/amd64, linux/arm64"), "\(error)")
        }
    }

    @Test func fetchedBlobsAreVerifiedAndCounted() async throws {
        let ref = try Reference(parsing: "\(fixtures.registry.host)/library/nginx:latest")
        let image = try await client.resolve(ref, shortName: false, platform: .host)
        let top = image.manifest.layers[1]
        try await client.fetchBlob(top, from: image.endpoint)
        try await client.fetchBlob(top, from: image.endpoint)
        #expect(client.store.size(of: top.digest) == top.size)
        #expect(await client.stats.downloaded[top.digest] == top.size, "a blob already in the store is not downloaded again")
    }
}
