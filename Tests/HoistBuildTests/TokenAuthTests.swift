import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

@Suite struct TokenAuthTests {
    @Test func anonymousBearerTokensCoverPullMountAndPush() async throws {
        let h = try BuildHarness(dockerfile: "", files: ["app.txt": "token\n"])
        let registry = try TestRegistry(tokenAuth: true)
        try registry.copy(["library/busybox:latest"], from: h.registry)
        _ = try h.context.file("Dockerfile", "FROM \(registry.host)/library/busybox:latest\nCOPY app.txt /app.txt\n")
        let tag = try h.uniqueTag(in: registry)
        let before = registry.issuerLog.count
        let result = try await h.build { $0.tags = [tag]; $0.push = true }

        #expect(result.stats.mounted.count == 1, "the base layer is mounted from library/busybox")
        let scopes = registry.issuerLog.dropFirst(before)
        #expect(scopes.contains("repository:library/busybox:pull"))
        #expect(scopes.contains { $0.contains("repository:\(tag.path):pull,push") && $0.contains("repository:library/busybox:pull") },
                "the mount asks for push on the target and pull on the source in one token: \(scopes)")
        #expect(scopes.filter { $0 == "repository:\(tag.path):pull,push" }.count == 1, "concurrent uploads share one token: \(scopes)")
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/app.txt") == "token\n")
    }
}
