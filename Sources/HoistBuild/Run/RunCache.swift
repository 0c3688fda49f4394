import Foundation
import HoistContent
import HoistLayers
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

    func record(_ layer: LayerRef, for key: String) {
        guard let data = try? JSONEncoder().encode(Entry(descriptor: layer.descriptor, diffID: layer.diffID)) else { return }
        CacheFile.write(data, to: directory + "/" + key)
    }
}
