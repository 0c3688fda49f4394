import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct ImagePusherTests {
    /// A rebuild with nothing changed, pushed under a new tag: the registry already holds its
    /// manifest, so one HEAD of that manifest stands for every blob it names, as crane's write
    /// checks. The fresh provenance is still uploaded, and the new tag names the same image.
    @Test func aManifestTheRegistryHoldsStandsForItsBlobs() async throws {
        let h = try BuildHarness(dockerfile: "FROM busybox:latest\nCOPY app.txt /app.txt\n", files: ["app.txt": "again \(UUID())\n"])
        let proxy = try FaultProxy(upstream: h.registry)
        let repository = "\(proxy.host)/demo/again\(UInt32.random(in: 0...UInt32.max))"
        let first = try await h.build { $0.tags = [try Reference(parsing: repository + ":1")]; $0.push = true }
        let before = proxy.log.count
        let second = try await h.build {
            $0.tags = [try Reference(parsing: repository + ":2")]
            $0.push = true
            $0.attestations = AttestationOptions(provenance: .min)
        }
        let requests = Array(proxy.log.dropFirst(before))
        #expect(second.image.manifestDigest == first.image.manifestDigest)
        #expect(requests.contains { $0.hasPrefix("HEAD ") && $0.contains("/manifests/\(first.image.manifestDigest)") }, "\(requests)")
        let imageBlobs = ([first.image.manifest.config] + first.image.manifest.layers).map(\.digest.description)
        let asked = requests.filter { line in line.contains("/blobs/") && imageBlobs.contains { line.contains($0) } }
        #expect(asked.isEmpty, "the image's blobs are not asked about one by one: \(asked)")
        #expect(requests.contains { $0.hasPrefix("PUT ") && $0.contains("/blobs/uploads/") }, "the provenance is uploaded: \(requests)")
        let pushed = try Shell.check(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(h.registry.host)/\(repository.split(separator: "/", maxSplits: 1)[1]):2"])
        #expect(pushed.contains(first.image.manifestDigest.description), "the index under :2 names the image: \(pushed)")
    }
}
