import Foundation
import HoistTestSupport
import Testing
@testable import HoistLayers

/// Gzip layers as TarReader reads them (igzip on its own thread): every member, and the failures said plainly.
struct TarReaderTests {
    /// A tar of `count` small files made by tar(1), and its path.
    func tarball(_ work: TempDirectory, count: Int) throws -> String {
        for i in 0..<count { _ = try work.file("src/f\(i)", String(repeating: "\(i) ", count: 5000)) }
        try Shell.check(["tar", "--owner=0", "--group=0", "-C", work.path + "/src", "-cf", work.path + "/layer.tar", "."])
        return work.path + "/layer.tar"
    }

    func names(_ path: String, readSize: Int = GzipInflater.bufferSize) throws -> [String] {
        let reader = try TarReader(path: path, inflateReadSize: readSize)
        var names: [String] = []
        while let header = try reader.next() { if case .file = header.kind { names.append(header.path) } }
        return names.sorted()
    }

    /// Paths as tar headers spell them, and the one name each gives (`TarHeader.normalize`, whose
    /// fast path returns a path that is already normal as it is).
    @Test(arguments: [("a/b", "a/b"), ("./a/b/", "a/b"), ("/a/b", "a/b"), ("a//b", "a/b"), ("a/./b", "a/b"), ("a/../b", "b"),
                      ("../a", "a"), ("", ""), (".", ""), ("/", ""), ("a/..", ""), ("..a/b", "..a/b"), (".a", ".a"),
                      ("a/.b/c", "a/.b/c"), ("a/...", "a/..."), ("a/b/.", "a/b"), ("a/b/..", "a"), ("é/ü", "é/ü")])
    func tarPathsNormaliseToOneName(raw: String, expected: String) {
        #expect(TarHeader.normalize(raw) == expected)
    }

    @Test func everyMemberOfAConcatenatedGzipIsRead() throws {
        let work = try TempDirectory("hoist-tar")
        let tar = try tarball(work, count: 300)
        let size = try FileManager.default.attributesOfItem(atPath: tar)[.size] as! Int
        // Two gzip members, split mid-file, as pigz and `cat a.gz b.gz` make them; zeros after the last.
        try Shell.check(["sh", "-c", "head -c \(size / 2) \(tar) | gzip -1 > \(tar).gz && tail -c +\(size / 2 + 1) \(tar) | gzip -9 >> \(tar).gz"
            + " && head -c 1024 /dev/zero >> \(tar).gz"])
        let expected = (0..<300).map { "f\($0)" }.sorted()
        #expect(try names(tar + ".gz") == expected)
        #expect(try names(tar) == expected, "the plain tar reads the same")
    }

    @Test func aMemberBoundaryAtAnyOffsetOfARead() throws {
        // Hoist's own layers (ParallelGzip) are a member per MiB; a read may end anywhere in one,
        // even one byte short of the next member's magic.
        let work = try TempDirectory("hoist-tar")
        let tar = try tarball(work, count: 40)
        let size = try FileManager.default.attributesOfItem(atPath: tar)[.size] as! Int
        let parts = 6
        var script = ": > \(tar).gz"
        for part in 0..<parts {
            let start = part * size / parts, end = (part + 1) * size / parts
            script += " && tail -c +\(start + 1) \(tar) | head -c \(end - start) | gzip -\(part % 9 + 1) >> \(tar).gz"
        }
        try Shell.check(["sh", "-c", script])
        let expected = (0..<40).map { "f\($0)" }.sorted()
        for readSize in [1, 2, 3, 7, 61, 4096] {
            #expect(try names(tar + ".gz", readSize: readSize) == expected, "reads of \(readSize) bytes")
        }
    }

    @Test func aTruncatedOrCorruptGzipLayerIsAnErrorThatSaysSo() throws {
        let work = try TempDirectory("hoist-tar")
        let tar = try tarball(work, count: 50)
        try Shell.check(["gzip", "-k", tar])
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: tar + ".gz")))
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: work.path + "/cut.tar.gz"))
        var corrupt = whole
        corrupt[corrupt.count - 6] ^= 0xff  // the CRC-32 in the trailer
        try Data(corrupt).write(to: URL(fileURLWithPath: work.path + "/crc.tar.gz"))
        for (file, words) in [("cut.tar.gz", "ends early"), ("crc.tar.gz", "CRC-32")] {
            do {
                _ = try names(work.path + "/" + file)
                Issue.record("\(file) was read without an error")
            } catch {
                #expect("\(error)".contains(words), "\(file): \(error)")
            }
        }
    }
}
