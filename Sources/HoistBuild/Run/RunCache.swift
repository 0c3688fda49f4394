import Foundation
import HoistContent
import HoistOCI

/// RUN results kept between builds: `$HOIST_ROOT/run-cache/KEY` holds the layer a RUN with that
/// RunCacheKey made. A hit is used only while the layer's blob is still in the store.
struct RunCache {
    let directory: String
    let store: ContentStore

    private struct Entry: Codable {
        var descriptor: Descriptor
        var diffID: Digest
    }

    func layer(for key: String) -> LayerRef? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + key),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              store.contains(entry.descriptor.digest) else { return nil }
        return LayerRef(descriptor: entry.descriptor, diffID: entry.diffID, source: .store)
    }

    /// Records the layer; written to a temp file and renamed, so a reader never sees half of it.
    func record(_ layer: LayerRef, for key: String) {
        guard let data = try? JSONEncoder().encode(Entry(descriptor: layer.descriptor, diffID: layer.diffID)) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = directory + "/.\(key).\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temp, contents: data) else { return }
        if rename(temp, directory + "/" + key) != 0 { unlink(temp) }
    }
}
