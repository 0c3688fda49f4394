import Foundation
import HoistLayers
import HoistTestSupport
import Testing

struct CacheFileTests {
    private func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// A cache hit records what it found again: the same bytes leave the file as it is (no new
    /// inode, no sync), other bytes replace it whole, and no temp file is left behind.
    @Test func theSameBytesAreNotWrittenAgainAndOtherBytesReplaceTheFile() throws {
        let dir = try TempDirectory("hoist-cachefile")
        let path = dir.path + "/sub/record"
        CacheFile.write(Data("one".utf8), to: path)
        let first = try #require(inode(path))
        CacheFile.write(Data("one".utf8), to: path)
        #expect(inode(path) == first, "the same bytes again: the file is left alone")
        CacheFile.write(Data("two".utf8), to: path)
        #expect(inode(path) != first, "other bytes: a new file renamed into place")
        #expect(FileManager.default.contents(atPath: path) == Data("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/sub") == ["record"])
    }
}
