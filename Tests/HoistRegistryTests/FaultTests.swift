import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistRegistry

/// Transfers through a proxy that misbehaves: each either succeeds after retries or fails with a
/// clear error, and the store never holds a corrupt blob.
@Suite struct FaultTests {
    let fixtures: Fixtures
    let proxy: FaultProxy
    let root: TempDirectory
    let client: RegistryClient
    let endpoint: Endpoint

    init() throws {
        fixtures = try Fixtures.shared()
        proxy = try FaultProxy(upstream: fixtures.registry)
        root = try TempDirectory("hoist-faults")
        client = RegistryClient(conf: RegistriesConf(), store: try ContentStore(root: URL(fileURLWithPath: root.path)),
                                retry: RetryPolicy(attempts: 4, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 5))
        endpoint = Endpoint(host: proxy.host, repository: "library/nginx", insecure: false)
    }

    /// nginx's bottom layer (about 1 MB), resolved through the proxy before any rule is set.
    func bigLayer() async throws -> Descriptor {
        let image = try await client.resolve(try Reference(parsing: "\(proxy.host)/library/nginx:latest"), shortName: false, platform: .host)
        return image.manifest.layers[0]
    }

    @Test func rateLimitsAndServerErrorsAreRetried() async throws {
        try proxy.setRules([
            ["id": "429", "method": "GET", "path": "/manifests/", "action": "status", "status": 429, "retry_after": 1, "times": 1],
            ["id": "503", "method": "GET", "path": "/blobs/", "action": "status", "status": 503, "times": 1],
            ["id": "502", "method": "GET", "path": "/blobs/", "action": "status", "status": 502, "times": 1],
            ["id": "500", "method": "GET", "path": "/blobs/", "action": "status", "status": 500, "times": 1],
        ])
        let layer = try await bigLayer()
        try await client.fetchBlob(layer, from: endpoint)
        #expect(client.store.contains(layer.digest))
        let log = proxy.log
        #expect(log.contains { $0.contains("/manifests/latest") && $0.hasSuffix("-> 429") })
        for status in ["503", "502", "500"] { #expect(log.contains { $0.hasSuffix("-> \(status)") }, "\(log)") }
    }

    @Test(arguments: ["reset", "truncate"])
    func aBlobCutOffHalfwayResumesWithRange(action: String) async throws {
        let layer = try await bigLayer()
        try proxy.setRules([["id": action, "method": "GET", "path": "/blobs/\(layer.digest)", "action": action, "times": 1]])
        try await client.fetchBlob(layer, from: endpoint)
        #expect(client.store.contains(layer.digest))
        let requests = proxy.log.filter { $0.contains("/blobs/\(layer.digest)") }
        #expect(requests.count == 2, "\(requests)")
        #expect(requests.last?.contains(" bytes=") == true, "the second request asks only for the rest: \(requests)")
        let stored = try Shell.check(["sha256sum", client.store.path(for: layer.digest)])
        #expect(stored.hasPrefix(layer.digest.encoded))
    }

    @Test func aFlippedByteIsFetchedAgainAndNeverStored() async throws {
        let layer = try await bigLayer()
        try proxy.setRules([["id": "once", "method": "GET", "path": "/blobs/\(layer.digest)", "action": "flip", "times": 1]])
        try await client.fetchBlob(layer, from: endpoint)
        #expect(try Shell.check(["sha256sum", client.store.path(for: layer.digest)]).hasPrefix(layer.digest.encoded))

        let other = try await client.resolve(try Reference(parsing: "\(proxy.host)/library/alpine:latest"), shortName: false, platform: .host).manifest.layers[1]
        try proxy.setRules([["id": "always", "method": "GET", "path": "/blobs/\(other.digest)", "action": "flip", "times": 100]])
        let alpine = Endpoint(host: proxy.host, repository: "library/alpine", insecure: false)
        await #expect(throws: RegistryError.self) { try await client.fetchBlob(other, from: alpine) }
        do { try await client.fetchBlob(other, from: alpine) } catch {
            #expect("\(error)".contains("does not match its digest") && "\(error)".contains("nothing was stored"), "\(error)")
        }
        #expect(!client.store.contains(other.digest))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/ingest").isEmpty)
    }

    @Test func aLongRetryAfterIsNotWaitedFor() async throws {
        try proxy.setRules([["id": "quota", "method": "GET", "path": "/manifests/", "action": "status", "status": 429, "retry_after": 3600, "times": 100]])
        do {
            _ = try await client.resolve(try Reference(parsing: "\(proxy.host)/library/nginx:latest"), shortName: false, platform: .host)
            Issue.record("resolved through a rate limit")
        } catch {
            #expect("\(error)".contains("429 TOOMANYREQUESTS") && "\(error)".contains("3600 s"), "\(error)")
        }
        #expect(proxy.log.filter { $0.hasSuffix("-> 429") }.count == 1, "a quota is not hammered")
    }

    @Test func persistentServerErrorsGiveUpWithTheRegistrysMessage() async throws {
        try proxy.setRules([["id": "down", "method": "GET", "path": "/manifests/", "action": "status", "status": 503, "times": 100]])
        do {
            _ = try await client.resolve(try Reference(parsing: "\(proxy.host)/library/nginx:latest"), shortName: false, platform: .host)
            Issue.record("resolved through a dead registry")
        } catch {
            #expect("\(error)".contains("failed 4 times") && "\(error)".contains("UNAVAILABLE"), "\(error)")
        }
    }
}

@Suite struct ChunkedUploadTests {
    @Test func largeBlobsGoInPatchChunksAndARefusedChunkIsSentAgain() async throws {
        let fixtures = try Fixtures.shared()
        let target = try TestRegistry()
        let proxy = try FaultProxy(upstream: target)
        let root = try TempDirectory("hoist-chunks")
        let client = RegistryClient(conf: RegistriesConf(), store: try ContentStore(root: URL(fileURLWithPath: root.path)),
                                    retry: RetryPolicy(attempts: 4, baseDelay: 0.01, maxDelay: 0.05),
                                    chunking: ChunkingPolicy(defaultThreshold: 100_000, chunkSize: 256 << 10))
        let image = try await client.resolve(try Reference(parsing: "\(fixtures.registry.host)/library/nginx:latest"), shortName: false, platform: .host)
        let layer = image.manifest.layers[0]
        try await client.fetchBlob(layer, from: image.endpoint)
        try proxy.setRules([["id": "patch", "method": "PATCH", "path": "/blobs/uploads/", "action": "status", "status": 503, "times": 1]])

        let destination = Endpoint(host: proxy.host, repository: "chunked/app", insecure: false)
        let outcome = try await client.pushBlob(layer, to: destination, mountFrom: nil)
        #expect(outcome == .uploaded(bytes: layer.size))
        let patches = proxy.log.filter { $0.hasPrefix("PATCH ") }
        #expect(patches.count == Int((layer.size + (256 << 10) - 1) / (256 << 10)) + 1, "one PATCH per chunk, one sent again: \(patches)")
        #expect(patches.first?.hasSuffix("-> 503") == true)
        try Shell.check(["curl", "-fsS", "http://\(target.host)/v2/chunked/app/blobs/\(layer.digest)", "-o", root.path + "/check"])
        #expect(try Shell.check(["sha256sum", root.path + "/check"]).hasPrefix(layer.digest.encoded))
    }
}
