import Foundation
import HoistLayers
import HoistOCI

/// Without SOURCE_DATE_EPOCH, the `created` of an image (and of the history entries this build
/// added) is the time this same image was first built on this machine, so a rebuild that changes
/// nothing gives the same digest and pushes nothing new, as a fully cached BuildKit build does.
/// "The same image" is its config with those times left out, layers included (by diffID):
/// `$HOIST_ROOT/created/KEY` keeps the first time.
struct FirstBuildTime {
    let directory: String

    func settle(_ config: inout ImageConfig, builtAt created: String) {
        var key = config
        key.created = nil
        key.history = key.history?.map { entry in
            var entry = entry
            if entry.created == created { entry.created = nil }
            return entry
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(key) else { return }
        let file = directory + "/" + Digest.sha256(of: Array(data)).encoded
        var first = created
        if let stored = try? String(contentsOfFile: file, encoding: .utf8), !stored.isEmpty {
            first = stored
        } else {
            CacheFile.write(Data(created.utf8), to: file)
        }
        config.created = first
        config.history = config.history?.map { entry in
            var entry = entry
            if entry.created == created { entry.created = first }
            return entry
        }
    }
}
