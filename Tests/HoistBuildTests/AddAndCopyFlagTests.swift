import Foundation
import HoistBuild
import HoistTestSupport
import Testing

@Suite struct AddAndCopyFlagTests {
    @Test func addUnpacksLocalArchivesAndCopyHonoursParentsAndExclude() async throws {
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            ADD app.tar.gz /opt/
            ADD app.tar.zst /zst/
            ADD plain.txt /plain.txt
            ADD --unpack=false app.tar.gz /raw/
            COPY --parents src/a/one.txt src/b/two.txt /tree/
            COPY --exclude=*.log --exclude=tmp logs/ /logs/

            """, files: ["bundle/bin/tool": "#!/bin/sh\n", "bundle/share/data.txt": "data\n", "plain.txt": "plain\n",
                         "src/a/one.txt": "1\n", "src/b/two.txt": "2\n", "logs/keep.txt": "k\n", "logs/x.log": "l\n", "logs/tmp/t": "t\n"])
        try Shell.check(["sh", "-c", "cd '\(h.context.path)' && chmod 755 bundle/bin/tool && ln -s bin/tool bundle/link && tar --owner=0 --group=0 -czf app.tar.gz bundle && tar --owner=0 --group=0 --zstd -cf app.tar.zst bundle && rm -rf bundle"])
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/opt/bundle/share/data.txt") == "data\n")
        #expect(image.metadata("/opt/bundle/bin/tool")?.mode == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: image.rootfs + "/opt/bundle/link") == "bin/tool")
        #expect(image.contents("/zst/bundle/share/data.txt") == "data\n", "zstd archives unpack too")
        #expect(image.contents("/plain.txt") == "plain\n", "a file that is not an archive is copied as it is")
        #expect(image.exists("/raw/app.tar.gz"), "--unpack=false keeps the archive")
        #expect(image.contents("/tree/src/a/one.txt") == "1\n" && image.contents("/tree/src/b/two.txt") == "2\n")
        #expect(image.contents("/logs/keep.txt") == "k\n")
        #expect(!image.exists("/logs/x.log") && !image.exists("/logs/tmp"))
    }

    @Test func addFromAURLSaysItIsNotSupportedYet() async throws {
        let h = try BuildHarness(dockerfile: "FROM scratch\nADD https://example.com/x.tar.gz /x/\n")
        let out = try TempDirectory("hoist-oci")
        do {
            _ = try await h.build { $0.outputs = [.ociArchive(dest: out.path + "/x.tar")] }
            Issue.record("built")
        } catch {
            #expect("\(error)".contains("Dockerfile:2:1: ADD https://example.com/x.tar.gz: remote sources"), "\(error)")
        }
    }
}
