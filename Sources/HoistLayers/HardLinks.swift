import Foundation

/// Device and inode of a file with more than one link, so files that are one file on disk can be
/// written as one file and hard links to it.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of a regular file that has other links, else nil.
    public init?(linked st: stat) {
        guard st.st_mode & S_IFMT == S_IFREG, st.st_nlink > 1 else { return nil }
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

extension Array where Element == LayerEntry {
    /// Entries whose paths share an identity become hard links to the first of them in layer
    /// (sorted) order, which keeps the bytes: a reader meets the file before its links.
    public mutating func linkSharedFiles(_ identities: [String: FileIdentity]) {
        var groups: [FileIdentity: [String]] = [:]
        for (path, identity) in identities { groups[identity, default: []].append(path) }
        let index = Dictionary(enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
        for paths in groups.values where paths.count > 1 {
            let sorted = PathOrder.sorted(paths) { $0 }
            for path in sorted.dropFirst() {
                if let i = index[path] { self[i].kind = .hardlink(target: sorted[0]) }
            }
        }
    }
}
