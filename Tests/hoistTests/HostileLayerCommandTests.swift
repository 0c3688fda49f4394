import Foundation
import HoistTestSupport
import Testing

/// A base whose layer climbs out (`../x`, `/abs/x`) or writes through its own symlinks
/// (`escape -> /tmp`, then `escape/file`): every reader puts each entry inside the image's root, as
/// BuildKit 0.25 does, and the build goes on (the fixture `hostile`, made by make-fixtures.sh).
@Suite struct HostileLayerCommandTests {
    static let contained = ["tmp/file": "through an absolute symlink\n", "etc/rel-file": "through a relative symlink\n",
                            "dotdot.txt": "dot dot\n", "abs/absolute.txt": "absolute\n", "deep-up.txt": "up and out\n",
                            "hardlink": "through an absolute symlink\n"]

    @Test(arguments: ["local", "tar"])
    func exportedRootFilesystemsKeepEveryEntryInside(type: String) throws {
        let h = try CLIHarness(dockerfile: "FROM hostile\nCOPY Dockerfile /copied\n")
        let out = h.root.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let dest = type == "local" ? out + "/rootfs" : out + "/rootfs.tar"
        let result = try h.hoist(["assemble", "-o", "type=\(type),dest=\(dest)", "."])
        try #require(result.status == 0, "\(result.stderr)")
        var tree = dest
        if type == "tar" {
            tree = out + "/unpacked"
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            try Shell.check(["tar", "-xf", dest, "-C", tree])
        }
        for (path, body) in Self.contained {
            #expect(FileManager.default.contents(atPath: tree + "/" + path) == Data(body.utf8), "\(path)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == (type == "local" ? ["rootfs"] : ["rootfs.tar", "unpacked"]),
                "nothing lands beside the destination")
        var st = stat()
        #expect(lstat(tree + "/escape", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the link itself is kept")
    }
}
