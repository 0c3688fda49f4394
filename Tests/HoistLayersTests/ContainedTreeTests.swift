import Foundation
import HoistTestSupport
import Testing
@testable import HoistLayers

struct ContainedTreeTests {
    func header(_ path: String, _ kind: TarHeader.Kind, mode: UInt32 = 0o644) -> TarHeader {
        TarHeader(path: path, kind: kind, mode: mode, uid: 0, gid: 0, size: 0, mtime: 1_000_000)
    }

    @Test func aSymlinkInTheTreeIsNeverFollowedOutOfIt() throws {
        let work = try TempDirectory("hoist-contained")
        let outside = work.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let body = try work.file("body", "pwned\n")
        let tree = try ContainedTree(root: work.path + "/root")
        try tree.write(header("evil", .symlink(target: outside)), body: nil)
        #expect(throws: LayerError.self) { try tree.write(header("evil/pwned", .file), body: body) }
        #expect(!FileManager.default.fileExists(atPath: outside + "/pwned"))
        try tree.write(header("abs", .symlink(target: "/etc")), body: nil)
        #expect(throws: LayerError.self) { try tree.write(header("abs/passwd", .file), body: body) }
    }

    @Test func filesDirectoriesAndLinksKeepTheirMetadata() throws {
        let work = try TempDirectory("hoist-contained")
        let body = try work.file("body", "#!/bin/sh\n")
        let tree = try ContainedTree(root: work.path + "/root")
        let headers = [header("usr", .directory, mode: 0o755), header("usr/bin", .directory, mode: 0o755),
                       header("usr/bin/run", .file, mode: 0o4755), header("usr/bin/alias", .symlink(target: "run"))]
        for h in headers { try tree.write(h, body: h.kind == .file ? body : nil) }
        try tree.settleDirectoryTimes(headers)
        let attributes = try FileManager.default.attributesOfItem(atPath: work.path + "/root/usr/bin/run")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o4755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work.path + "/root/usr/bin/alias") == "run")
        let dir = try FileManager.default.attributesOfItem(atPath: work.path + "/root/usr/bin")
        #expect((dir[.modificationDate] as? Date)?.timeIntervalSince1970 == 1_000_000)
    }

    @Test func aDirectoryReplacedByAFileIsNoLongerWrittenInto() throws {
        let work = try TempDirectory("hoist-contained")
        let body = try work.file("body", "x\n")
        let tree = try ContainedTree(root: work.path + "/root")
        try tree.write(header("a/b", .directory, mode: 0o755), body: nil)
        try tree.write(header("a/b/old", .file), body: body)
        try tree.write(header("a/b", .file), body: body)
        // A path through what is now a file fails (the walked directory it replaced is forgotten).
        #expect(throws: LayerError.self) { try tree.write(header("a/b/new", .file), body: body) }
        try tree.write(header("a/c/new", .file), body: body)
        #expect(FileManager.default.fileExists(atPath: work.path + "/root/a/c/new"))
        #expect(try String(contentsOfFile: work.path + "/root/a/b", encoding: .utf8) == "x\n")
    }
}
