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

    @Test func addFromAURLChecksTheChecksumAndKeepsTheServersTime() async throws {
        let server = try FileServer()
        _ = try server.directory.file("tool.tar.gz", "not really an archive\n")
        _ = try Shell.check(["touch", "-d", "@1600000000", server.directory.path + "/tool.tar.gz"])
        let sum = try Shell.check(["sha256sum", server.directory.path + "/tool.tar.gz"]).prefix(64)
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            ADD --checksum=sha256:\(sum) \(server.url)/tool.tar.gz /dl/
            """)
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/dl/tool.tar.gz") == "not really an archive\n", "a download is not unpacked")
        #expect(image.metadata("/dl/tool.tar.gz")?.mode == 0o600)
        var st = stat()
        stat(image.rootfs + "/dl/tool.tar.gz", &st)
        #expect(st.st_mtim.tv_sec == 1_600_000_000, "mtime from Last-Modified")

        let bad = try BuildHarness(dockerfile: "FROM scratch\nADD --checksum=sha256:\(String(repeating: "0", count: 64)) \(server.url)/tool.tar.gz /dl/\n")
        await #expect { _ = try await bad.build { _ in } } throws: { error in
            "\(error)".contains("Dockerfile:2:1: ADD \(server.url)/tool.tar.gz: the download's digest is sha256:\(sum)")
        }
        let missing = try BuildHarness(dockerfile: "FROM scratch\nADD \(server.url)/nothing-here /dl/\n")
        await #expect { _ = try await missing.build { _ in } } throws: { error in
            "\(error)".contains("Dockerfile:2:1: ADD \(server.url)/nothing-here: cannot download it: the server answered HTTP 404")
        }
    }

    @Test func addOfAGitRepositoryChecksOutTheRefAndDropsGitUnlessKept() async throws {
        let server = try FileServer()
        let work = try TempDirectory("hoist-git")
        try Shell.check(["sh", "-c", """
            set -e; cd '\(work.path)'; git init -q -b main src; cd src
            git config user.email t@example.com; git config user.name t
            echo one > file.txt; git add file.txt; git commit -qm one; git tag v1
            echo two > file.txt; mkdir -p sub; echo inner > sub/inner.txt; git add sub; git commit -qam two
            git clone -q --bare . '\(server.directory.path)/repo.git'; cd '\(server.directory.path)/repo.git'; git update-server-info
            """])
        let v1 = try Shell.check(["git", "-C", work.path + "/src", "rev-parse", "v1"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let h = try BuildHarness(dockerfile: """
            FROM scratch
            ADD \(server.url)/repo.git#v1 /at-tag/
            ADD --keep-git-dir=true \(server.url)/repo.git /with-git/
            ADD \(server.url)/repo.git?tag=v1&checksum=\(v1.prefix(12)) /query-tag/
            ADD \(server.url)/repo.git?branch=main&subdir=sub /query-subdir/
            ADD \(server.url)/repo.git?keep-git-dir#:sub /fragment-subdir/
            """)
        let tag = try h.uniqueTag()
        _ = try await h.build { $0.tags = [tag]; $0.push = true }
        let out = try TempDirectory("hoist-readback")
        let image = try UnpackedImage(skopeoSource: "docker://\(tag)", into: out.path)
        #expect(image.contents("/at-tag/file.txt") == "one\n")
        #expect(!image.exists("/at-tag/.git"))
        #expect(image.contents("/with-git/file.txt") == "two\n")
        #expect(image.exists("/with-git/.git/HEAD"))
        #expect(image.contents("/query-tag/file.txt") == "one\n")
        #expect(image.contents("/query-subdir/inner.txt") == "inner\n" && !image.exists("/query-subdir/file.txt"))
        #expect(image.contents("/fragment-subdir/inner.txt") == "inner\n")

        for (line, message) in [("ADD \(server.url)/repo.git?tag=v1&checksum=0000000 /x/", "refs/tags/v1 is commit \(v1), but the checksum expects 0000000"),
                                ("ADD \(server.url)/repo.git?depth=1 /x/", "unknown git option \"depth\""),
                                ("ADD \(server.url)/repo.git#main:no*match /x/", "no*match is not a directory of the repository")] {
            let bad = try BuildHarness(dockerfile: "FROM scratch\n" + line + "\n")
            await #expect { _ = try await bad.build { _ in } } throws: { "\($0)".contains("Dockerfile:2:1: ADD") && "\($0)".contains(message) }
        }
    }
}
