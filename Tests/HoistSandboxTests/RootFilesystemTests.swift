import Foundation
import HoistLayers
import HoistSandbox
import HoistTestSupport
import Testing

/// The copied root filesystem (where overlayfs cannot be mounted): layers applied in order without
/// following what an earlier layer planted, and a RUN's changes found by comparing before and after.
@Suite struct RootFilesystemTests {
    private func layer(_ entries: [(String, String, String)], _ name: String, in dir: TempDirectory) throws -> String {
        let path = dir.path + "/" + name + ".tar"
        let spec = try JSONSerialization.data(withJSONObject: entries.map { [$0.0, $0.1, $0.2] })
        try Shell.check([Paths.python, "-c", """
            import io, json, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                for name, kind, value in json.loads(sys.argv[2]):
                    i = tarfile.TarInfo(name); i.mode = 0o755 if kind == "dir" else 0o644
                    if kind == "file":
                        data = value.encode(); i.size = len(data); t.addfile(i, io.BytesIO(data)); continue
                    i.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE}[kind]
                    i.linkname = value; t.addfile(i)
            """, path, String(decoding: spec, as: UTF8.self)])
        let snapshot = dir.path + "/snapshots/" + name
        try LayerExtractor.extract(blob: path, into: snapshot)
        return snapshot
    }

    @Test func aLaterLayerReplacesAPlantedSymlinkInsteadOfWritingThroughIt() throws {
        let dir = try TempDirectory("hoist-rootfs")
        let outside = dir.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let lower = try layer([("etc", "symlink", outside), ("gone", "file", "x"), ("keep", "file", "k")], "one", in: dir)
        let upper = try layer([("etc", "dir", ""), ("etc/passwd", "file", "root:x:0:0::/root:/bin/sh\n"), (".wh.gone", "file", "")], "two", in: dir)
        let rootfs = try RootFilesystem(lowers: [lower, upper], scratch: dir.path + "/scratch", preferred: .copy)
        #expect(rootfs.kind == .copy)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing was written through the link")
        var st = stat()
        #expect(lstat(rootfs.merged + "/etc", &st) == 0 && st.st_mode & S_IFMT == S_IFDIR)
        #expect(FileManager.default.fileExists(atPath: rootfs.merged + "/etc/passwd"))
        #expect(!FileManager.default.fileExists(atPath: rootfs.merged + "/gone"), "the whiteout deleted it")
        #expect(FileManager.default.contents(atPath: rootfs.merged + "/keep") == Data("k".utf8))
    }

    @Test func changesAfterTheStampsAreTheLayerAndNothingElse() throws {
        let dir = try TempDirectory("hoist-rootfs")
        let base = try layer([("a", "dir", ""), ("a/old", "file", "1"), ("a/same", "file", "2"), ("b", "dir", ""), ("b/x", "file", "3"),
                              ("untouched", "dir", ""), ("untouched/f", "file", "4")], "base", in: dir)
        let rootfs = try RootFilesystem(lowers: [base], scratch: dir.path + "/scratch", preferred: .copy)
        let m = rootfs.merged
        try FileManager.default.removeItem(atPath: m + "/a/old")
        try Data("new".utf8).write(to: URL(fileURLWithPath: m + "/a/new"))
        try FileManager.default.removeItem(atPath: m + "/b")
        try FileManager.default.createDirectory(atPath: m + "/c/d", withIntermediateDirectories: true)
        try Data("made".utf8).write(to: URL(fileURLWithPath: m + "/provided"))
        let paths = try rootfs.changes(excluded: ["provided"]).entries.map(\.path)
        // The directory is kept with what changed in it; /untouched and the excluded file are not there.
        #expect(Set(paths) == ["a", "a/.wh.old", "a/new", ".wh.b", "c", "c/d"], "\(paths)")
        #expect(paths.count == 6, "\(paths)")
    }

    /// The sandbox makes /etc/hosts in an /etc that lacks it and leaves it out of the layer; /etc
    /// itself, changed only by that, is left out too, as BuildKit's differ leaves it (BuildKit
    /// 0.25's RUN layer in the differential case 97 has no etc/). A directory whose mode changed,
    /// or that holds a change, stays.
    @Test(arguments: [RootFilesystem.Kind.copy, .overlay])
    func aDirectoryChangedOnlyByAStubIsLeftOut(_ kind: RootFilesystem.Kind) throws {
        let dir = try TempDirectory("hoist-rootfs")
        let base = try layer([("etc", "dir", ""), ("etc/passwd", "file", "p"), ("var", "dir", ""), ("usr", "dir", "")], "base", in: dir)
        let rootfs = try RootFilesystem(lowers: [base], scratch: dir.path + "/scratch", preferred: kind)
        defer { rootfs.unmount() }
        let m = rootfs.merged
        for stub in ["etc/hosts", "var/hosts", "usr/hosts"] { try Data().write(to: URL(fileURLWithPath: m + "/" + stub)) }
        chmod(m + "/var", 0o700)
        try Data("x".utf8).write(to: URL(fileURLWithPath: m + "/usr/new"))
        let changes = try rootfs.changes(excluded: ["etc/hosts", "var/hosts", "usr/hosts"])
        #expect(Set(changes.entries.map(\.path)) == ["var", "usr", "usr/new"], "\(changes.entries.map(\.path))")
        #expect(changes.unchanged == ["etc"])
    }

    /// A directory made again over one a layer deleted is new, whatever an older layer below held
    /// at that path: the whiteout hides it (as a 0:0 device, or as a `.wh.` marker in a snapshot
    /// that could not hold one), and so does an opaque parent.
    @Test(arguments: [RootFilesystem.Kind.copy, .overlay])
    func aDirectoryAnUpperLayerHidHoldsNothingBelowIt(_ kind: RootFilesystem.Kind) throws {
        let dir = try TempDirectory("hoist-rootfs")
        let old = try layer([("a", "dir", ""), ("a/b", "dir", ""), ("o", "dir", ""), ("o/p", "dir", "")], "old", in: dir)
        let deleted = try layer([(".wh.a", "file", ""), ("o", "dir", ""), ("o/.wh..wh..opq", "file", "")], "deleted", in: dir)
        // The same deletion kept as a marker file, as LayerExtractor keeps it where mknod is refused.
        let marker = dir.path + "/snapshots/marker"
        try FileManager.default.createDirectory(atPath: marker, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: marker + "/.wh.a"))
        // overlayfs reads no markers: a snapshot holds them only where the root filesystem is a copy.
        let cases: [([String], Set<String>)] = [([old, deleted], ["a", "a/b", "o/p"])] + (kind == .copy ? [([old, marker], ["a", "a/b"])] : [])
        for (lowers, made) in cases {
            let rootfs = try RootFilesystem(lowers: lowers, scratch: dir.path + "/scratch-\(UUID())", preferred: kind)
            defer { rootfs.unmount() }
            for path in made { try FileManager.default.createDirectory(atPath: rootfs.merged + "/" + path, withIntermediateDirectories: true) }
            let paths = Set(try rootfs.changes(excluded: []).entries.map(\.path))
            #expect(paths.isSuperset(of: made), "\(lowers.last!): \(paths)")
        }
    }

    /// With overlayfs the upper directory becomes the next snapshot: a directory there that still
    /// holds what no layer keeps (a fifo) stays in the layer, so the layer and the snapshot agree.
    @Test func anOverlayDirectoryHoldingAFifoIsKept() throws {
        let dir = try TempDirectory("hoist-rootfs")
        let base = try layer([("tmp", "dir", "")], "base", in: dir)
        let rootfs = try RootFilesystem(lowers: [base], scratch: dir.path + "/scratch", preferred: .overlay)
        defer { rootfs.unmount() }
        #expect(mkfifo(rootfs.merged + "/tmp/f", 0o644) == 0)
        let changes = try rootfs.changes(excluded: [])
        #expect(changes.entries.map(\.path) == ["tmp"], "\(changes.entries.map(\.path))")
        #expect(changes.unchanged.isEmpty)
    }
}
