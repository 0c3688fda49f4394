import Foundation
import HoistOCI
import Testing
@testable import HoistContent

struct ContentStoreTests {
    func makeStore() throws -> (ContentStore, String) {
        let dir = NSTemporaryDirectory() + "hoist-store-\(UUID().uuidString)"
        return (try ContentStore(root: URL(fileURLWithPath: dir)), dir)
    }

    @Test func ingestStoresUnderTheDigest() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let digest = try store.ingest(Array("hello".utf8))
        #expect(digest == Digest.sha256(of: Array("hello".utf8)))
        #expect(try store.read(digest) == Array("hello".utf8))
        #expect(store.path(for: digest).hasSuffix("/blobs/sha256/\(digest.encoded)"))
    }

    @Test func aMismatchedBlobIsNeverVisible() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let claimed = Digest.sha256(of: Array("expected".utf8))
        let writer = try store.writer()
        try writer.write(Array("something else".utf8))
        #expect(throws: ContentError.self) { try writer.commit(expected: claimed, source: "test") }
        #expect(!store.contains(claimed))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/blobs/sha256").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/ingest").isEmpty)
    }

    @Test func aWrongSizeIsRefused() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try store.writer()
        try writer.write(Array("1234".utf8))
        #expect(throws: ContentError.self) { try writer.commit(size: 5, source: "test") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/blobs/sha256").isEmpty)
    }

    @Test func anAbandonedWriterLeavesNothing() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let writer = try store.writer()
            try writer.write(Array("partial".utf8))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/ingest").isEmpty)
    }
}
