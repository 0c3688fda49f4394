import Foundation
import HoistBuild
import HoistTestSupport
import Testing

@Suite struct DockerIgnoreBuildTests {
    static let files = ["a.txt": "a\n", "debug.log": "log\n", "secret/key": "k\n", "secret/public.txt": "p\n",
                        ".dockerignore": "*.log\nsecret/\n!secret/public.txt\n"]

    @Test func dockerignoreLeavesFilesOutOfCopies() async throws {
        let h = try BuildHarness(dockerfile: "FROM scratch\nCOPY . /app/\n", files: Self.files)
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/app/a.txt") == "a\n")
        #expect(!image.exists("/app/debug.log"))
        #expect(!image.exists("/app/secret/key"))
        #expect(image.contents("/app/secret/public.txt") == "p\n")
    }

    @Test func namingAnIgnoredFileIsAnError() async throws {
        let h = try BuildHarness(dockerfile: "FROM scratch\nCOPY debug.log /x\n", files: Self.files)
        let out = try TempDirectory("hoist-oci")
        await #expect(throws: Error.self) { try await h.build { $0.outputs = [.ociArchive(dest: out.path + "/x.tar")] } }
        do { _ = try await h.build { $0.outputs = [.ociArchive(dest: out.path + "/x.tar")] } } catch {
            #expect("\(error)".contains("debug.log is excluded from the build context by .dockerignore"))
        }
    }

    @Test func aDockerfileSpecificIgnoreFileWins() async throws {
        var files = Self.files
        files["Dockerfile.dockerignore"] = "a.txt\n"
        let h = try BuildHarness(dockerfile: "FROM scratch\nCOPY . /app/\n", files: files)
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(!image.exists("/app/a.txt"))
        #expect(image.contents("/app/debug.log") == "log\n", "the context's .dockerignore no longer applies")
    }
}
