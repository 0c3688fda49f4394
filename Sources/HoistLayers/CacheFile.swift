import Foundation

/// Small files Hoist keeps to be faster next time (layer indexes, RUN results, first build
/// times): written under a hidden temp name (`.NAME.UUID`), synced and renamed, so a reader sees
/// all of one or none of it. A file that already holds exactly those bytes is left alone: a cache
/// hit records what it found, and rewriting it cost two syncs per step of a nothing-changed
/// rebuild. Best effort: a cache that cannot be written only costs the work again.
public enum CacheFile {
    public static func write(_ data: Data, to path: String) {
        if FileManager.default.contents(atPath: path) == data { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = directory + "/." + (path as NSString).lastPathComponent + "." + UUID().uuidString
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        let synced = written && fsync(fd) == 0
        close(fd)
        if !synced || rename(temp, path) != 0 { unlink(temp) }
    }
}
