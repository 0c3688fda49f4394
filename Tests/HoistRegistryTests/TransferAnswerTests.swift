import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistRegistry

/// The descriptor, not the transport, says when a blob is whole; an upload or manifest whose
/// answer is lost after the registry acted on it is checked or sent again, never left failed.
@Suite struct TransferAnswerTests {
    let fixtures: Fixtures
    let root: TempDirectory
    let client: RegistryClient
    static let retry = RetryPolicy(attempts: 4, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 5)

    init() throws {
        fixtures = try Fixtures.shared()
        root = try TempDirectory("hoist-answers")
        client = RegistryClient(conf: RegistriesConf(), store: try ContentStore(root: URL(fileURLWithPath: root.path)),
                                retry: Self.retry)
    }

    /// nginx's bottom layer (about 1 MB) and where to read it through `proxy`.
    func layer(through proxy: FaultProxy) async throws -> (Descriptor, Endpoint) {
        let image = try await client.resolve(try Reference(parsing: "\(proxy.host)/library/nginx:latest"), shortName: false, platform: .host)
        return (image.manifest.layers[0], Endpoint(host: proxy.host, repository: "library/nginx", insecure: false))
    }

    func stored(_ descriptor: Descriptor) throws -> Bool {
        try Shell.check(["sha256sum", client.store.path(for: descriptor.digest)]).hasPrefix(descriptor.digest.encoded)
    }

    @Test func aBlobDeclaredLongerThanItsDescriptorIsDoneOnceItsBytesVerify() async throws {
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let (descriptor, endpoint) = try await layer(through: proxy)
        try proxy.setRules([["id": "long", "method": "GET", "path": "/blobs/\(descriptor.digest)", "action": "overlong", "times": 1]])
        try await client.fetchBlob(descriptor, from: endpoint)
        #expect(try stored(descriptor))
        let requests = proxy.log.filter { $0.contains("/blobs/\(descriptor.digest)") }
        #expect(requests.count == 1, "nothing is asked for past the descriptor's size: \(requests)")
    }

    @Test func a416ToAResumeVerifiesWhatIsHereThenStartsOver() async throws {
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let (descriptor, endpoint) = try await layer(through: proxy)
        try proxy.setRules([
            ["id": "cut", "method": "GET", "path": "/blobs/\(descriptor.digest)", "action": "truncate", "times": 1],
            ["id": "416", "method": "GET", "path": "/blobs/\(descriptor.digest)", "range": true, "action": "status", "status": 416, "times": 1],
        ])
        try await client.fetchBlob(descriptor, from: endpoint)
        #expect(try stored(descriptor))
        let requests = proxy.log.filter { $0.contains("/blobs/\(descriptor.digest)") }
        #expect(requests.count == 3, "cut, 416 to the resume, then the whole blob again: \(requests)")
        #expect(requests.last.map { $0.contains(" - -> ") } == true, "the last request asks from the start: \(requests)")
    }

    /// The registry stores the blob and ends the session; the answer never arrives. Sending the PUT
    /// again on that session would get 404 BLOB_UPLOAD_UNKNOWN: a HEAD finds the blob instead.
    @Test(arguments: ["monolithic", "chunked"])
    func anUploadWhoseAnswerIsLostIsFoundWithHead(shape: String) async throws {
        let target = try TestRegistry()
        let proxy = try FaultProxy(upstream: target)
        let source = try FaultProxy(upstream: fixtures.registry)
        let (descriptor, _) = try await layer(through: source)
        try await client.fetchBlob(descriptor, from: Endpoint(host: source.host, repository: "library/nginx", insecure: false))
        let chunking = shape == "chunked" ? ChunkingPolicy(defaultThreshold: 100_000, chunkSize: 256 << 10) : ChunkingPolicy(defaultThreshold: 1 << 30)
        let pusher = RegistryClient(conf: RegistriesConf(), store: client.store, retry: Self.retry, chunking: chunking)
        try proxy.setRules([["id": "lost", "method": "PUT", "path": "/blobs/uploads/", "action": "drop", "times": 1]])
        let destination = Endpoint(host: proxy.host, repository: "lost/answer", insecure: false)
        let outcome = try await pusher.pushBlob(descriptor, to: destination, mountFrom: nil)
        #expect(outcome == .uploaded(bytes: descriptor.size))
        let log = proxy.log
        let dropped = try #require(log.firstIndex { $0.contains("-> drop") }, "\(log)")
        let after = log[(dropped + 1)...]
        #expect(after.first?.hasPrefix("HEAD ") == true && after.first?.contains("/blobs/\(descriptor.digest)") == true, "\(log)")
        #expect(!after.contains { $0.hasPrefix("PUT ") }, "the PUT is not sent again on a session that is gone: \(log)")
        try Shell.check(["curl", "-fsS", "http://\(target.host)/v2/lost/answer/blobs/\(descriptor.digest)", "-o", root.path + "/check"])
        #expect(try Shell.check(["sha256sum", root.path + "/check"]).hasPrefix(descriptor.digest.encoded))
    }

    @Test func aManifestPutWhoseAnswerIsLostIsSentAgain() async throws {
        let target = try TestRegistry()
        let proxy = try FaultProxy(upstream: target)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = Digest.sha256(of: config)
        let endpoint = Endpoint(host: proxy.host, repository: "lost/manifest", insecure: false)
        let writer = try client.store.writer()
        try writer.write(config)
        _ = try writer.commit(expected: configDigest, size: Int64(config.count), source: "test")
        _ = try await client.pushBlob(Descriptor(mediaType: .ociConfig, digest: configDigest, size: Int64(config.count)), to: endpoint, mountFrom: nil)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"layers":[]}"#.utf8)
        try proxy.setRules([["id": "lost", "method": "PUT", "path": "/manifests/", "action": "drop", "times": 1]])
        let digest = try await client.putManifest(manifest, mediaType: .ociManifest, to: endpoint, tag: "v1")
        #expect(proxy.log.filter { $0.hasPrefix("PUT ") && $0.contains("/manifests/v1") }.count == 2, "\(proxy.log)")
        let inspected = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(target.host)/lost/manifest:v1"])
        #expect(Digest.sha256(of: Array(inspected.utf8)) == digest)
    }
}
