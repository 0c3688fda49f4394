import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistLayers

struct LayerBuilderTests {
    let work: TempDirectory
    let store: ContentStore

    init() throws {
        work = try TempDirectory("hoist-layers")
        store = try ContentStore(root: URL(fileURLWithPath: work.path + "/store"))
    }

    func entries() throws -> [LayerEntry] {
        let a = try work.file("a.txt", "alpha\n"), b = try work.file("b.bin", String(repeating: "b", count: 70_000))
        return [
            LayerEntry(path: "usr/bin/b", kind: .file(source: b, size: 70_000), mode: 0o4755, uid: 0, gid: 0, mtime: 1_600_000_000),
            LayerEntry(path: "etc", kind: .directory, mode: 0o755, mtime: 0),
            LayerEntry(path: "etc/a.txt", kind: .file(source: a, size: 6), mode: 0o640, uid: 1000, gid: 50, mtime: 1_700_000_000),
            LayerEntry(path: "etc/link", kind: .symlink(target: "a.txt"), mode: 0o777, mtime: 0),
        ]
    }

    @Test func sameEntriesGiveTheSameDigestsWhateverTheirOrder() throws {
        let e = try entries()
        let first = try LayerBuilder.write(e, into: store)
        let second = try LayerBuilder.write(e.reversed(), into: store)
        #expect(first == second)
        #expect(first.descriptor.mediaType == .ociLayerGzip)
    }

    /// BuildKit 0.25 wrote `COPY data /data` of this tree in exactly this order (its differ walks
    /// depth first, each directory's names sorted by their bytes): a directory's contents come
    /// before a sibling whose name extends the directory's with a byte below `/`.
    @Test func entriesComeInTheOrderOfBuildKitsDepthFirstWalk() throws {
        let body = try work.file("body", "x\n")
        let buildKitOrder = ["data/", "data/foo/", "data/foo/x", "data/foo-bar/", "data/foo-bar/z", "data/foo.txt", "data/foo0"]
        let entries = buildKitOrder.reversed().map { name in
            name.hasSuffix("/") ? LayerEntry(path: String(name.dropLast()), kind: .directory, mode: 0o755, mtime: 0)
                : LayerEntry(path: name, kind: .file(source: body, size: 2), mode: 0o644, mtime: 0)
        }
        let layer = try LayerBuilder.write(entries, into: store)
        let names = try Shell.check(["tar", "-tzf", store.path(for: layer.descriptor.digest)]).split(separator: "\n").map(String.init)
        #expect(names == buildKitOrder)
        #expect(PathOrder.sorted(buildKitOrder.shuffled()) { $0 } == buildKitOrder)
    }

    @Test func digestAndDiffIDMatchTheBytes() throws {
        let layer = try LayerBuilder.write(try entries(), into: store)
        let blob = store.path(for: layer.descriptor.digest)
        #expect(try Shell.check(["sha256sum", blob]).hasPrefix(layer.descriptor.digest.encoded))
        let tar = work.path + "/layer.tar"
        try Shell.check(["sh", "-c", "gzip -dc '\(blob)' > '\(tar)'"])
        #expect(try Shell.check(["sha256sum", tar]).hasPrefix(layer.diffID.encoded))
        #expect(layer.descriptor.size == Int64(try FileManager.default.attributesOfItem(atPath: blob)[.size] as! Int))
    }

    @Test func gzipHeaderHasNoNameAndNoTime() throws {
        let layer = try LayerBuilder.write(try entries(), into: store)
        let head = try [UInt8](Data(contentsOf: URL(fileURLWithPath: store.path(for: layer.descriptor.digest))).prefix(10))
        #expect(head[0] == 0x1f && head[1] == 0x8b && head[2] == 8)
        #expect(head[3] == 0, "no FNAME/FCOMMENT/FEXTRA flags")
        #expect(head[4...7].allSatisfy { $0 == 0 }, "mtime is zero")
    }

    @Test func gnuTarReadsEntriesSortedWithTheirMetadata() throws {
        let layer = try LayerBuilder.write(try entries(), into: store)
        let listing = try Shell.check(["tar", "--numeric-owner", "-tvzf", store.path(for: layer.descriptor.digest)])
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let names = try Shell.check(["tar", "-tzf", store.path(for: layer.descriptor.digest)]).split(separator: "\n").map(String.init)
        #expect(names == ["etc/", "etc/a.txt", "etc/link", "usr/bin/b"])
        #expect(lines.first { $0.contains("etc/link") }?.last == "a.txt")
        let a = try #require(lines.first { $0.contains("etc/a.txt") })
        #expect(a[0] == "-rw-r-----" && a[1] == "1000/50")
        let b = try #require(lines.first { $0.contains("usr/bin/b") })
        #expect(b[0] == "-rwsr-xr-x" && b[1] == "0/0" && b[2] == "70000")
    }
}

struct ParallelGzipTests {
    @Test func aLargeLayerIsManyGzipMembersThatEveryReaderAccepts() throws {
        let work = try TempDirectory("hoist-pgzip")
        let store = try ContentStore(root: URL(fileURLWithPath: work.path + "/store"))
        try Shell.check(["sh", "-c", "head -c 3000000 /dev/urandom > '\(work.path)/r'; seq 1 400000 > '\(work.path)/t'"])
        let entries = [LayerEntry(path: "random.bin", kind: .file(source: work.path + "/r", size: 3_000_000), mode: 0o644, mtime: 0),
                       LayerEntry(path: "text.txt", kind: .file(source: work.path + "/t", size: Int64(try FileManager.default.attributesOfItem(atPath: work.path + "/t")[.size] as! Int)), mode: 0o644, mtime: 0)]
        let layer = try LayerBuilder.write(entries, into: store)
        let blob = store.path(for: layer.descriptor.digest)
        try Shell.check(["gzip", "-t", blob])
        #expect(try Shell.check(["sh", "-c", "gzip -dc '\(blob)' | sha256sum"]).hasPrefix(layer.diffID.encoded))
        // More than one member: each starts with the gzip magic and deflate method.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: blob)))
        let members = (0..<(bytes.count - 3)).filter { bytes[$0] == 0x1f && bytes[$0 + 1] == 0x8b && bytes[$0 + 2] == 8 && bytes[$0 + 3] == 0 }
        #expect(members.count >= 4, "a 5 MB tar in 1 MiB blocks")
        #expect(try LayerBuilder.write(entries.reversed(), into: store) == layer, "the same bytes every time")
    }
}
