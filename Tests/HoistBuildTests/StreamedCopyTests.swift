import Foundation
import HoistBuild
import HoistOCI
import HoistTestSupport
import Testing

/// COPY of a directory of the context, or one that one layer of an image holds whole, is written
/// while it is read (`StreamedCopy`). The layer must be the one the general way writes, whatever
/// the flags; a source whose layer is not in BuildKit's order, or holds a hard link, is copied the
/// general way.
@Suite struct StreamedCopyTests {
    /// The source tree: nested directories, names that sort differently by whole path and by
    /// walk (`foo/x` against `foo.txt`), a symlink, owners and modes, and entries around `data`.
    static let tree = """
        set -e
        mkdir -p data/foo data/foo-bar data/sub/deep data0 zzz
        echo x > data/foo/x; echo z > data/foo-bar/z; echo txt > data/foo.txt; echo 0 > data/foo0
        echo deep > data/sub/deep/file; seq 1 60000 > data/sub/big.bin; : > data/empty
        ln -s foo.txt data/link; echo other > data0/x; echo last > zzz/last
        chmod 0600 data/foo.txt; chmod 0750 data/sub; chown 1000:50 data/foo/x data/sub/deep
        find . -exec touch -h -d @1700000000 {} +
        """

    /// BuildKit's order (depth first, names by bytes), which the stream needs.
    static let walkOrder = ["data", "data/empty", "data/foo", "data/foo/x", "data/foo-bar", "data/foo-bar/z", "data/foo.txt", "data/foo0",
                            "data/link", "data/sub", "data/sub/big.bin", "data/sub/deep", "data/sub/deep/file", "data0", "data0/x", "zzz", "zzz/last"]
    /// The same entries by the bytes of whole paths, which Hoist wrote before: `foo/x` after `foo.txt`.
    static let byteOrder = ["data", "data/empty", "data/foo", "data/foo-bar", "data/foo-bar/z", "data/foo.txt", "data/foo/x", "data/foo0",
                            "data/link", "data/sub", "data/sub/big.bin", "data/sub/deep", "data/sub/deep/file", "data0", "data0/x", "zzz", "zzz/last"]

    /// An OCI layout with one single-layer image per tag, its tar's members in the order given.
    /// `then` runs in the tree after each tar is made, with `$TAR` naming it (to append to it).
    static func layout(_ images: [String: [String]], extra: String = "", then: String = "") throws -> TempDirectory {
        let dir = try TempDirectory("hoist-streamed")
        try Shell.check(["sh", "-c", "mkdir -p '\(dir.path)/tree' && cd '\(dir.path)/tree' && \(tree)\n\(extra)"])
        try Shell.check(["umoci", "init", "--layout", dir.path + "/layout"])
        for (tag, members) in images {
            let tar = "\(dir.path)/\(tag).tar"
            try Shell.check(["tar", "--no-recursion", "--numeric-owner", "-C", dir.path + "/tree", "-cf", tar] + members)
            if !then.isEmpty { try Shell.check(["sh", "-c", "cd '\(dir.path)/tree' && TAR='\(tar)' && \(then)"]) }
            try Shell.check(["umoci", "new", "--image", "\(dir.path)/layout:\(tag)"])
            try Shell.check(["umoci", "config", "--image", "\(dir.path)/layout:\(tag)", "--no-history", "--os", "linux", "--architecture", "amd64"])
            try Shell.check(["umoci", "raw", "add-layer", "--image", "\(dir.path)/layout:\(tag)", tar])
        }
        return dir
    }

    /// Builds `dockerfile` with `src` naming `tag` of `layout`; returns the layers' digests, the
    /// log, and the top layer's listing (`tar -tv`).
    static func build(_ dockerfile: String, tag: String, layout: TempDirectory, epoch: Int? = nil) async throws -> ([Digest], LogLines, String) {
        let h = try BuildHarness(dockerfile: dockerfile)
        let log = LogLines()
        let archive = h.root.path + "/out.tar"
        let options = try h.options {
            $0.namedContexts["src"] = try NamedContext(parsing: "oci-layout://\(layout.path)/layout:\(tag)", name: "src")
            $0.outputs = [.ociArchive(dest: archive)]
            $0.sourceDateEpoch = epoch
        }
        let result = try await Builder(options: options, log: { log.add($0) }, warn: { _ in }).run()
        let top = try #require(result.image.layers.last).descriptor.digest.encoded
        let listing = try Shell.check(["sh", "-c", "tar -xOf '\(archive)' blobs/sha256/\(top) | tar -tvz --numeric-owner"])
        return (result.image.layers.map(\.descriptor.digest), log, listing)
    }

    @Test(arguments: [
        ("FROM scratch\nCOPY --from=src /data /dst/\n", nil),
        ("FROM scratch\nCOPY --from=src --chown=7:8 --chmod=640 --exclude=foo-bar --exclude=**/file /data /a/b/\n", nil),
        ("FROM scratch\nCOPY --from=src --parents /data /out/\n", nil),
        ("FROM busybox:latest\nCOPY --from=src data /etc/\n", 1_600_000_000),
        ("FROM scratch\nCOPY --from=src / /everything\n", nil),
    ] as [(String, Int?)])
    func aDirectoryInOneLayerIsStreamedIntoTheLayerTheGeneralWayWrites(_ dockerfile: String, _ epoch: Int?) async throws {
        let layout = try Self.layout(["walk": Self.walkOrder, "bytes": Self.byteOrder])
        let (streamed, streamedLog, _) = try await Self.build(dockerfile, tag: "walk", layout: layout, epoch: epoch)
        let (general, generalLog, _) = try await Self.build(dockerfile, tag: "bytes", layout: layout, epoch: epoch)
        #expect(streamedLog.contains("streamed as it was read"), "\(streamedLog.all)")
        #expect(generalLog.contains("copied the general way"), "\(generalLog.all)")
        #expect(streamed == general)
    }

    @Test func aHardLinkIsCopiedTheGeneralWayAsAFileWithItsTargetsBytes() async throws {
        let members = Self.walkOrder.filter { $0.hasPrefix("data") && !$0.hasPrefix("data0") } + ["data/hard"]
        let layout = try Self.layout(["walk": members], extra: "ln data/foo0 data/hard")
        let (_, log, listing) = try await Self.build("FROM scratch\nCOPY --from=src /data /dst/\n", tag: "walk", layout: layout)
        #expect(!log.contains("streamed as it was read"), "the index lists the link, so nothing is streamed: \(log.all)")
        let hard = try #require(listing.split(separator: "\n").first { $0.hasSuffix(" dst/hard") }, "\(listing)")
        #expect(hard.hasPrefix("-rw-r--r--"), "a regular file, not a link: \(hard)")
        #expect(hard.contains(" 2 "), "foo0's 2 bytes: \(hard)")
    }

    /// A tar may list a path again after others; its index keeps the last header. The stream
    /// would stop before reaching it, so the first one, which differs, sends the COPY the general way.
    @Test func aPathTheLayerListsTwiceIsCopiedTheGeneralWayWithItsLastHeader() async throws {
        let members = Self.walkOrder.filter { $0.hasPrefix("data") && !$0.hasPrefix("data0") } + ["zzz"]
        let layout = try Self.layout(["twice": members], then: "chmod 0640 data/foo0 && tar --no-recursion --numeric-owner -rf \"$TAR\" data/foo0")
        let (_, log, listing) = try await Self.build("FROM scratch\nCOPY --from=src /data /dst/\n", tag: "twice", layout: layout)
        #expect(log.contains("copied the general way"), "\(log.all)")
        let foo0 = try #require(listing.split(separator: "\n").first { $0.hasSuffix(" dst/foo0") }, "\(listing)")
        #expect(foo0.hasPrefix("-rw-r-----"), "the header listed last: \(foo0)")
    }

    /// ADD of a directory is copied the general way (ADD may unpack archives), COPY streams it:
    /// both must give one layer, for every flag and for what `.dockerignore` leaves out or brings back.
    @Test(arguments: [
        ("data /dst/", nil),
        ("--chown=7:8 --chmod=640 --exclude=foo-bar --exclude=**/file data /a/b/", nil),
        ("data /etc/", 1_600_000_000),
        ("data/sub /", nil),
    ] as [(String, Int?)])
    func aContextDirectoryIsStreamedIntoTheLayerAddWrites(_ arguments: String, _ epoch: Int?) async throws {
        var layers: [String: [Digest]] = [:]
        for keyword in ["COPY", "ADD"] {
            let h = try BuildHarness(dockerfile: "FROM busybox:latest\n\(keyword) \(arguments)\n",
                                     files: [".dockerignore": "data/sub/deep\n!data/sub/deep/file\ndata/ignored\n"])
            try Shell.check(["sh", "-c", "cd '\(h.context.path)' && \(Self.tree)\nln data/foo0 data/hard; echo i > data/ignored\n"
                + "find data -exec touch -h -d @1700000000 {} +"])
            let log = LogLines()
            let options = h.options {
                $0.outputs = [.ociArchive(dest: h.root.path + "/out.tar")]
                $0.sourceDateEpoch = epoch
            }
            let result = try await Builder(options: options, log: { log.add($0) }, warn: { _ in }).run()
            #expect(log.contains("streamed as it was read") == (keyword == "COPY"), "\(keyword): \(log.all)")
            layers[keyword] = result.image.layers.map(\.descriptor.digest)
        }
        #expect(layers["COPY"] == layers["ADD"])
    }
}
