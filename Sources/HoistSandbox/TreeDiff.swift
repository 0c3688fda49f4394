import Foundation
import HoistLayers

/// What a RUN changed in a root filesystem that is a plain directory (no overlayfs): the tree is
/// stamped before the command (inode, type and mode, owner, size, mtime and ctime of every path)
/// and compared after it. Any write, chmod, chown or link changes ctime, so a stamp that differs
/// is a changed path; a path gone is a whiteout; a directory with a new inode was replaced and is
/// opaque. Parent directories of a change are included, as overlayfs's copy-up includes them, so
/// both ways give the same layer.
public struct TreeDiff {
    private struct Stamp: Equatable {
        var inode: UInt64
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
        var size: Int64
        var mtime: timespec
        var ctime: timespec

        init(_ st: stat) {
            inode = UInt64(st.st_ino)
            mode = st.st_mode
            uid = st.st_uid
            gid = st.st_gid
            size = Int64(st.st_size)
            mtime = st.st_mtim
            ctime = st.st_ctim
        }

        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.inode == b.inode && a.mode == b.mode && a.uid == b.uid && a.gid == b.gid && a.size == b.size
                && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec
                && a.ctime.tv_sec == b.ctime.tv_sec && a.ctime.tv_nsec == b.ctime.tv_nsec
        }
    }

    public let root: String
    private var before: [String: Stamp] = [:]
    private var children: [String: [String]] = [:]

    /// Stamps every path under `root` as it is now.
    public init(root: String) throws {
        self.root = root
        try scan("", root)
    }

    private mutating func scan(_ relative: String, _ path: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        children[relative] = names
        for name in names {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let st = try DiskEntry.lstat(path + "/" + name)
            before[rel] = Stamp(st)
            if st.st_mode & S_IFMT == S_IFDIR { try scan(rel, path + "/" + name) }
        }
    }

    /// The layer entries for what changed since the stamps were taken, `excluded` paths left out.
    public func entries(excluded: Set<String> = []) throws -> [LayerEntry] {
        var entries: [LayerEntry] = []
        var identities: [String: FileIdentity] = [:]
        _ = try walk("", root, replaced: false, excluded: excluded, into: &entries, identities: &identities)
        entries.linkSharedFiles(identities)
        return entries
    }

    /// Appends the changes under `relative`; returns whether there were any (so the caller keeps
    /// the directory itself, as copy-up would).
    private func walk(_ relative: String, _ path: String, replaced: Bool, excluded: Set<String>,
                      into entries: inout [LayerEntry], identities: inout [String: FileIdentity]) throws -> Bool {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        var changed = false
        if !replaced {
            let present = Set(names)
            let deleted = Int(try DiskEntry.lstat(path).st_mtim.tv_sec)
            for gone in (children[relative] ?? []).sorted() where !present.contains(gone) {
                let rel = relative.isEmpty ? gone : relative + "/" + gone
                if excluded.contains(rel) { continue }
                entries.append(DiskEntry.whiteout(rel, mtime: deleted))
                changed = true
            }
        }
        for name in names {
            let rel = relative.isEmpty ? name : relative + "/" + name
            if excluded.contains(rel) { continue }
            let full = path + "/" + name
            let st = try DiskEntry.lstat(full)
            let now = Stamp(st)
            let old = replaced ? nil : before[rel]
            // The entry (with its xattrs) is read only for what changed: most of the tree did not.
            if now.isDirectory {
                // A directory whose inode changed was removed and made again: lower contents are hidden.
                let remade = old.map { !$0.isDirectory || $0.inode != now.inode } ?? true
                let index = entries.count
                let inner = try walk(rel, full, replaced: remade, excluded: excluded, into: &entries, identities: &identities)
                guard remade || inner || old != now, let entry = try DiskEntry.entry(at: full, relative: rel, st) else { continue }
                if remade, old?.isDirectory == true { entries.insert(DiskEntry.opaque(rel, mtime: entry.mtime), at: index) }
                entries.insert(entry, at: index)
                changed = true
            } else if old != now, let entry = try DiskEntry.entry(at: full, relative: rel, st) {
                if case .file = entry.kind { identities[rel] = FileIdentity(linked: st) }
                entries.append(entry)
                changed = true
            }
        }
        return changed
    }
}
