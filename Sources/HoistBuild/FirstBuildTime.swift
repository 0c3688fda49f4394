import Foundation
import HoistLayers
import HoistOCI

/// Without SOURCE_DATE_EPOCH, the `created` of an image (and of the history entries this build
/// added) is the time this same image was first built on this machine, so a rebuild that changes
/// nothing gives the same digest and pushes nothing new, as a fully cached BuildKit build does.
/// "The same image" is its config with those times left out, layers included (by diffID):
/// `$HOIST_ROOT/created/KEY` keeps the first time. A build cache carries these times too, so
/// a machine that imports it gives the image the time the exporting machine gave it.
struct FirstBuildTime {
    let directory: String

    /// Sets `config`'s `created` (and the history entries stamped `created`) to the image's first
    /// time: from `imported` (a build cache's, by key), else this machine's, else `created`.
    /// Returns the key (64 hex digits) and the time used, for `--cache-to`.
    @discardableResult
    func settle(_ config: inout ImageConfig, builtAt created: String, imported: [String: String] = [:]) -> (key: String, time: String) {
        var key = config
        key.created = nil
        key.history = key.history?.map { entry in
            var entry = entry
            if entry.created == created { entry.created = nil }
            return entry
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(key) else { return ("", created) }
        let name = Digest.sha256(of: Array(data)).encoded
        let file = directory + "/" + name
        var first = created
        if let shared = imported[name] {
            first = shared
            CacheFile.write(Data(shared.utf8), to: file)
        } else if let stored = try? String(contentsOfFile: file, encoding: .utf8), !stored.isEmpty {
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
        return (name, first)
    }
}
