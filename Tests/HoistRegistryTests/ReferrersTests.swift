import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistRegistry

/// OCI 1.1 referrers on a registry without the referrers API: the `sha256-<digest>` tag fallback.
@Suite struct ReferrersTests {
    let fixtures: Fixtures
    let root: TempDirectory
    let client: RegistryClient

    init() throws {
        fixtures = try Fixtures.shared()
        root = try TempDirectory("hoist-referrers")
        client = RegistryClient(conf: RegistriesConf(), store: try ContentStore(root: URL(fileURLWithPath: root.path)),
                                retry: RetryPolicy(attempts: 2, baseDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 1))
    }

    /// A failure to read the fallback list is not "no list": putting a list of one then would
    /// erase what other tools attached. Nothing is put, and the failure is what the caller sees.
    @Test func aFallbackListThatCannotBeReadIsNotReplaced() async throws {
        let proxy = try FaultProxy(upstream: fixtures.registry)
        let subject = Digest.sha256(of: Array("subject \(UUID())".utf8))
        let endpoint = Endpoint(host: proxy.host, repository: "referrers/t\(UInt32.random(in: 0...UInt32.max))", insecure: false)
        try proxy.setRules([["id": "down", "method": "GET", "path": "/manifests/sha256-", "action": "status", "status": 503, "times": 1000]])
        let referrer = Descriptor(mediaType: .ociManifest, digest: Digest.sha256(of: Array("referrer".utf8)), size: 2)
        await #expect(throws: RegistryError.self) { try await client.attachReferrer(referrer, subject: subject, in: endpoint) }
        #expect(!proxy.log.contains { $0.hasPrefix("PUT ") }, "no list was put: \(proxy.log)")
    }
}
