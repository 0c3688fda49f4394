import Foundation
import HoistLayers

/// Turns a RUN's overlayfs upper directory into layer entries: what the command created or
/// changed, with `.wh.NAME` for what it deleted and `.wh..wh..opq` for a directory it replaced.
/// Hard links inside the upper directory stay hard links. `excluded` paths (files the sandbox
/// itself provided, such as an /etc/hosts the image lacked) are left out.
public enum UpperDiff {
    public static func entries(of upper: String, excluded: Set<String> = []) throws -> [LayerEntry] {
        var entries: [LayerEntry] = []
        var identities: [String: FileIdentity] = [:]
        try walk(upper, relative: "", excluded: excluded, into: &entries, identities: &identities)
        entries.linkSharedFiles(identities)
        return entries
    }

    private static func walk(_ directory: String, relative: String, excluded: Set<String>,
                             into entries: inout [LayerEntry], identities: inout [String: FileIdentity]) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            if excluded.contains(rel) { continue }
            let st = try DiskEntry.lstat(path)
            if st.st_mode & S_IFMT == S_IFCHR, st.st_rdev == 0 {
                // overlayfs's whiteout: the command deleted this path.
                entries.append(DiskEntry.whiteout(rel, mtime: Int(st.st_mtim.tv_sec)))
                continue
            }
            guard let entry = try DiskEntry.entry(at: path, relative: rel, st) else { continue }
            entries.append(entry)
            identities[rel] = FileIdentity(linked: st)
            if entry.kind == .directory {
                if DiskEntry.isOpaque(path) { entries.append(DiskEntry.opaque(rel, mtime: entry.mtime)) }
                try walk(path, relative: rel, excluded: excluded, into: &entries, identities: &identities)
            }
        }
    }
}
