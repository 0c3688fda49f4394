import Foundation

/// Small files Hoist keeps to be faster next time (layer indexes, RUN results, first build
/// times): written under a hidden temp name (`.NAME.UUID`) and renamed, so a reader sees all of one
/// or none of it. Best effort: a cache that cannot be written only costs the work again.
public enum CacheFile {
    public static func write(_ data: Data, to path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = directory + "/." + (path as NSString).lastPathComponent + "." + UUID().uuidString
        guard FileManager.default.createFile(atPath: temp, contents: data) else { return }
        if rename(temp, path) != 0 { unlink(temp) }
    }
}
