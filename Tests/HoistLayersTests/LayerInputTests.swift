import Foundation
import HoistContent
import HoistOCI
import HoistTestSupport
import Testing
@testable import HoistLayers

/// A layer indexed while its download arrives (`LayerInput` over a `BlobStream`): the same index
/// as from its file, and none at all when the bytes turn out not to be the layer's.
struct LayerInputTests {
    let work: TempDirectory
    let store: ContentStore
    let entries: [LayerEntry]

    init() throws {
        work = try TempDirectory("hoist-input")
        store = try ContentStore(root: URL(fileURLWithPath: work.path + "/store"))
        var entries: [LayerEntry] = [LayerEntry(path: "etc", kind: .directory, mode: 0o755, mtime: 0),
                                     LayerEntry(path: "etc/wh/.wh.gone", kind: .file(source: try work.file("src/empty", ""), size: 0), mode: 0o644, mtime: 0),
                                     LayerEntry(path: "bin/sh", kind: .symlink(target: "busybox"), mode: 0o777, mtime: 0)]
        // Bodies large enough that the stream's chunks, the inflater's buffers and the tar blocks all cross.
        for i in 0..<40 {
            let body = String(repeating: "line \(i) of a file that takes some room\n", count: 200 + i * 37)
            entries.append(LayerEntry(path: "srv/f\(i)", kind: .file(source: try work.file("src/f\(i)", body), size: Int64(body.utf8.count)), mode: 0o644, mtime: 0))
        }
        self.entries = entries
    }

    /// `path`'s bytes written into a stream from another thread, `chunk` bytes at a time, then
    /// finished against `digest` (default: the right one), or failed halfway.
    func streamed(_ path: String, digest: Digest? = nil, cutHalfway: Bool = false, chunk: Int = 7001) -> BlobStream {
        let stream = BlobStream(limit: 64 << 10)
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        Thread {
            for start in stride(from: 0, to: cutHalfway ? bytes.count / 2 : bytes.count, by: chunk) {
                do { try bytes[start..<min(start + chunk, bytes.count)].withUnsafeBytes { try stream.write($0) } } catch { return }
            }
            if cutHalfway { stream.fail("the connection was cut"); return }
            _ = stream.finish(expected: digest ?? Digest.sha256(of: bytes), size: Int64(bytes.count))
        }.start()
        return stream
    }

    @Test(arguments: ["gzip", "zstd", "uncompressed"])
    func aLayerIndexedWhileItArrivesEqualsTheIndexOfItsFile(compression: String) throws {
        let built = try LayerBuilder.write(entries, into: store, compression: try LayerCompression(parsing: compression))
        let path = store.path(for: built.descriptor.digest)
        let fromFile = try LayerIndex(reading: path)
        let fromStream = try LayerIndex(reading: LayerInput(stream: streamed(path), label: "layer"))
        #expect(fromStream == fromFile)
        #expect(fromStream.entries.count == 42 && fromStream.whiteouts == ["etc/wh/gone"])
    }

    @Test(arguments: ["gzip", "uncompressed"])
    func aStreamWhoseBytesAreNotTheLayersGivesNoIndex(compression: String) throws {
        let built = try LayerBuilder.write(entries, into: store, compression: try LayerCompression(parsing: compression))
        let path = store.path(for: built.descriptor.digest)
        let wrong = Digest.sha256(of: Array("another layer".utf8))
        #expect {
            try LayerIndex(reading: LayerInput(stream: streamed(path, digest: wrong), label: "layer x"))
        } throws: { "\($0)".contains("layer x") && "\($0)".contains("hash to") }
        #expect {
            try LayerIndex(reading: LayerInput(stream: streamed(path, cutHalfway: true), label: "layer y"))
        } throws: { "\($0)".contains("the connection was cut") }
    }
}
