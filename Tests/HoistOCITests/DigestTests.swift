import Testing
@testable import HoistOCI

struct DigestTests {
    @Test func sha256OfKnownInputs() {
        #expect(Digest.sha256(of: [UInt8]()).description == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(of: Array("abc".utf8)).description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<100_000).map { UInt8($0 % 251) }
        let h = SHA256Hasher()
        for chunk in stride(from: 0, to: data.count, by: 7919) { h.update(Array(data[chunk..<min(chunk + 7919, data.count)])) }
        #expect(h.count == 100_000)
        #expect(h.finalize() == Digest.sha256(of: data))
    }

    @Test func malformedDigestsAreRefused() {
        #expect(throws: DigestError.self) { try Digest(parsing: "sha256:ABC") }
        #expect(throws: DigestError.self) { try Digest(parsing: "md5:" + String(repeating: "a", count: 32)) }
        #expect(throws: DigestError.self) { try Digest(parsing: "nocolon") }
    }

    @Test func platformMatchingHonoursVariants() throws {
        #expect(try Platform(parsing: "linux/arm64/v8") == Platform(os: "linux", architecture: "arm64"))
        #expect(Platform(os: "linux", architecture: "arm", variant: "v7").matches(try Platform(parsing: "linux/arm")))
        #expect(!Platform(os: "linux", architecture: "arm", variant: "v6").matches(try Platform(parsing: "linux/arm/v7")))
        #expect(!Platform(os: "linux", architecture: "arm64").matches(try Platform(parsing: "linux/amd64")))
    }
}
