import Testing
@testable import HoistOCI

struct ReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("docker.io/busybox", "docker.io/library/busybox"),
        ("index.docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
        ("user/app", "docker.io/user/app"),
        ("127.0.0.1:5000/demo/app:1", "127.0.0.1:5000/demo/app:1"),
        ("localhost/app", "localhost/app"),
        ("localhost:5000/a/b/c:v1.2-x_y", "localhost:5000/a/b/c:v1.2-x_y"),
        ("ghcr.io/o/r@sha256:" + String(repeating: "a", count: 64), "ghcr.io/o/r@sha256:" + String(repeating: "a", count: 64)),
        ("a/b--c__d.e:t", "docker.io/a/b--c__d.e:t"),
        ("a.b--c/e:t", "a.b--c/e:t"),
        ("[::1]:5000/x", "[::1]:5000/x"),
    ])
    func normalisesLikeDocker(input: String, expected: String) throws {
        #expect(try Reference(parsing: input).description == expected)
    }

    @Test func tagAndPortAreToldApart() throws {
        let r = try Reference(parsing: "host:5000/app")
        #expect(r.domain == "host:5000")
        #expect(r.path == "app")
        #expect(r.tag == nil)
        #expect(r.withDefaultTag.tag == "latest")
    }

    @Test func uppercaseRepositoryGivesDockersMessage() {
        #expect(throws: ReferenceError.uppercase("library/Busybox")) { try Reference(parsing: "Busybox") }
    }

    @Test(arguments: ["", "a:b:c", "app:", "-app", "app//x", "app@sha256:abc", "app:" + String(repeating: "t", count: 129), "host:port/app", "a_/b"])
    func malformedNamesAreRefused(input: String) {
        #expect(throws: ReferenceError.self) { try Reference(parsing: input) }
    }

    @Test func bareHexIsRefusedAsDockerDoes() {
        let hex = String(repeating: "0", count: 64)
        #expect(throws: ReferenceError.bareDigest(hex)) { try Reference(parsing: hex) }
    }
}
