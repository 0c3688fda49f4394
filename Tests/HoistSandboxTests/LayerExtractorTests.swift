import Foundation
import HoistOCI
import HoistSandbox
import HoistTestSupport
import Testing

/// A malicious base layer cannot write outside its snapshot: `..` paths are kept inside, symlinks
/// are never followed while writing, and hard links cannot reach files outside.
@Suite struct LayerExtractorTests {
    /// A tar written by Python's tarfile from (name, kind, target/content) triples, exactly as given.
    private func craft(_ entries: [(String, String, String)], in dir: TempDirectory) throws -> String {
        let path = dir.path + "/layer.tar"
        let spec = try JSONSerialization.data(withJSONObject: entries.map { [$0.0, $0.1, $0.2] })
        let script = """
            import io, json, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                for name, kind, value in json.loads(sys.argv[2]):
                    i = tarfile.TarInfo(name)
                    if kind == "file":
                        data = value.encode(); i.size = len(data); t.addfile(i, io.BytesIO(data)); continue
                    i.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
                    i.linkname = value; t.addfile(i)
            """
        try Shell.check([Paths.python, "-c", script, path, String(decoding: spec, as: UTF8.self)])
        return path
    }

    @Test func dotDotPathsStayInsideTheSnapshot() throws {
        let dir = try TempDirectory("hoist-evil")
        let blob = try craft([("../../escaped.txt", "file", "out"), ("a/../../b.txt", "file", "b")], in: dir)
        try LayerExtractor.extract(blob: blob, into: dir.path + "/snap/root")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/snap/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/escaped.txt"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/snap/root/escaped.txt"))
    }

    /// BuildKit 0.25 (containerd's RootPath) resolves such entries inside the root and goes on.
    @Test func writingThroughAnAbsoluteOrEscapingSymlinkLandsInsideTheSnapshot() throws {
        let dir = try TempDirectory("hoist-evil")
        let outside = dir.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        for (target, landing) in [(outside, String(outside.dropFirst()) + "/evil"), ("../../outside", "outside/evil"), ("/", "evil"), ("/tmp", "tmp/evil")] {
            let blob = try craft([("etc", "symlink", target), ("etc/evil", "file", "pwned")], in: dir)
            let snapshot = dir.path + "/snap-\(target.count)"
            try LayerExtractor.extract(blob: blob, into: snapshot)
            #expect(!FileManager.default.fileExists(atPath: outside + "/evil"), "wrote through \(target)")
            #expect(FileManager.default.contents(atPath: snapshot + "/" + landing) == Data("pwned".utf8), "\(target): expected \(landing)")
        }
    }

    @Test func onlyWhatHasNoPlaceInsideIsRefusedNamingTheEntryAndLayer() async throws {
        let dir = try TempDirectory("hoist-evil")
        for (entries, named) in [([("a", "dir", ""), ("a/.wh..", "file", "")], "a/.wh.."), ([("a/.wh...", "file", "")], "a/.wh..."),
                                 ([("a", "dir", ""), ("a/.wh.", "file", "")], "a/.wh."),
                                 ([("root", "hardlink", "../..")], "root")] {
            let blob = try craft(entries, in: dir)
            do {
                let diffID = Digest.sha256(of: Array(named.utf8))
                _ = try await Snapshotter(root: dir.path + "/snapshots").snapshot(diffID) { .file(path: blob, temporary: false) }
                Issue.record("\(named) was accepted")
            } catch {
                let text = "\(error)"
                let digest = Digest.sha256(of: Array(named.utf8)).description
                #expect(text.contains("entry \"\(named)\"") && text.contains(digest) && !text.contains(dir.path), Comment(rawValue: text))
            }
        }
    }

    @Test func hardLinksCannotReachFilesOutside() throws {
        let dir = try TempDirectory("hoist-evil")
        let secret = dir.path + "/secret"
        FileManager.default.createFile(atPath: secret, contents: Data("secret\n".utf8))
        let blob = try craft([("steal", "hardlink", secret), ("steal2", "hardlink", "../secret")], in: dir)
        let snapshot = dir.path + "/snap"
        _ = try? LayerExtractor.extract(blob: blob, into: snapshot)
        for name in ["steal", "steal2"] {
            let data = FileManager.default.contents(atPath: snapshot + "/" + name)
            #expect(data != Data("secret\n".utf8), "\(name) links to a file outside the snapshot")
        }
        var st = stat()
        stat(secret, &st)
        #expect(st.st_nlink == 1, "the outside file gained a link")
    }

    @Test func whiteoutsAndOpaqueMarkersBecomeOverlayfsFormat() throws {
        let dir = try TempDirectory("hoist-layer")
        let blob = try craft([("etc", "dir", ""), ("etc/.wh.gone", "file", ""), ("opt", "dir", ""), ("opt/.wh..wh..opq", "file", ""), ("opt/kept", "file", "k")], in: dir)
        let snapshot = dir.path + "/snap"
        try LayerExtractor.extract(blob: blob, into: snapshot)
        var st = stat()
        #expect(lstat(snapshot + "/etc/gone", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0)
        let opaque = try Shell.check([Paths.python, "-c", "import os, sys; print(os.getxattr(sys.argv[1], 'trusted.overlay.opaque').decode(), end='')", snapshot + "/opt"])
        #expect(opaque == "y")
        #expect(FileManager.default.contents(atPath: snapshot + "/opt/kept") == Data("k".utf8))
    }

    @Test func xattrsAreKeptButOverlayfsOwnAreNeverSet() throws {
        let dir = try TempDirectory("hoist-layer")
        let blob = dir.path + "/layer.tar"
        try Shell.check([Paths.python, "-c", """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                i = tarfile.TarInfo("tool"); i.size = 1
                i.pax_headers = {"SCHILY.xattr.user.kept": "yes", "SCHILY.xattr.trusted.overlay.redirect": "/etc"}
                t.addfile(i, io.BytesIO(b"x"))
            """, blob])
        let snapshot = dir.path + "/snap"
        try LayerExtractor.extract(blob: blob, into: snapshot)
        let names = try Shell.check([Paths.python, "-c", "import os, sys; print(sorted(os.listxattr(sys.argv[1])))", snapshot + "/tool"])
        #expect(names.trimmingCharacters(in: .whitespacesAndNewlines) == "['user.kept']")
    }
}
