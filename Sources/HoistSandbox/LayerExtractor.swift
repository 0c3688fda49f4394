import Foundation
import HoistLayers

/// Unpacks one layer blob into a directory in overlayfs's own format, so the directory can be a
/// lowerdir as it is: `.wh.NAME` becomes a 0:0 character device, `.wh..wh..opq` the
/// `trusted.overlay.opaque` xattr. Writing goes through `ContainedTree`: no `..`, no symlink
/// followed, hard links only to paths inside. Device nodes and fifos in a layer are skipped. Files
/// keep their xattrs (a `security.capability` survives a RUN that changes the file), except
/// overlayfs's own, which a layer could use to redirect the mount.
public enum LayerExtractor {
    public static func extract(blob: String, into directory: String) throws {
        let tree = try ContainedTree(root: directory, recordUnmappedOwners: true)
        let reader = try TarReader(path: blob)
        var directories: [TarHeader] = []
        while let header = try reader.next() {
            guard !header.path.isEmpty else { continue }
            if let deleted = Whiteout.deletedPath(header.path) {
                try tree.whiteout(deleted)
                continue
            }
            if let opaque = Whiteout.opaqueDirectory(header.path) {
                try tree.markOpaque(opaque)
                continue
            }
            switch header.kind {
            case .file:
                try tree.writeFile(header, xattrs: reader.xattrs()) { fd in try reader.copyBody(into: fd) }
            case let .hardlink(target):
                try tree.link(header.path, to: target)
            case .directory:
                try tree.write(header, body: nil, xattrs: reader.xattrs())
                directories.append(header)
            case .symlink:
                try tree.write(header, body: nil)
            case .other:
                continue
            }
        }
        try tree.settleDirectoryTimes(directories)
    }
}
