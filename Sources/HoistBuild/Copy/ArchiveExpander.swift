import Foundation
import HoistLayers

/// `ADD archive.tar[.gz|.bz2|.xz|.zst] /dest/`: a local tar archive, recognised by its content (not
/// its name, as docker does), is unpacked into the destination; TarReader keeps every path inside
/// it (through the archive's own symlinks too). A parent directory the archive has no entry for
/// is made 0755 root, stamped `directoryTime`, as unpacking on disk makes it. Anything libarchive
/// does not read as a tar is copied as a plain file; one that fails part way throws its error.
enum ArchiveExpander {
    static func items(of archive: String, staging: String, directoryTime: Int) throws -> [CopyItem]? {
        guard let reader = try? TarReader(path: archive) else { return nil }
        var items: [CopyItem] = []
        var staged: [String: (String, Int64)] = [:]
        var seen: Set<String> = []
        var n = 0
        do {
            while let header = try reader.next() {
                guard !header.path.isEmpty else { continue }
                let kind: CopyItem.Kind
                switch header.kind {
                case .directory: kind = .directory
                case let .symlink(target): kind = .symlink(target: target)
                case .file:
                    let body = "\(staging)/add-\(n)"
                    n += 1
                    try reader.extractBody(to: body)
                    staged[header.path] = (body, header.size)
                    kind = .file(body: body, size: header.size)
                case let .hardlink(target):
                    guard let (body, size) = staged[target] else { continue }
                    kind = .file(body: body, size: size)
                case .other: continue
                }
                var parent = Substring(header.path)
                var missing: [String] = []
                while let slash = parent.lastIndex(of: "/") {
                    parent = parent[..<slash]
                    if seen.contains(String(parent)) { break }
                    missing.append(String(parent))
                }
                for directory in missing.reversed() {
                    seen.insert(directory)
                    var implied = CopyItem(relative: directory, kind: .directory, mode: 0o755, uid: 0, gid: 0, mtime: directoryTime)
                    implied.onlyIfMissing = true
                    items.append(implied)
                }
                seen.insert(header.path)
                items.append(CopyItem(relative: header.path, kind: kind, mode: header.mode, uid: header.uid, gid: header.gid, mtime: header.mtime))
            }
        } catch {
            // Not a tar after all (or not one libarchive reads): the caller copies the file as it is.
            // One that fails part way, or holds an entry with no place inside, is not half copied.
            guard items.isEmpty else { throw error }
            return nil
        }
        return items.isEmpty ? nil : items
    }
}
