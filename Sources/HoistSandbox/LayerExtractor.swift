import Foundation
import HoistLayers

/// Unpacks one layer blob into a directory in overlayfs's own format, so the directory can be a
/// lowerdir as it is: `.wh.NAME` becomes a 0:0 character device, `.wh..wh..opq` the
/// `trusted.overlay.opaque` xattr. Writing goes through `ContainedTree`: no `..`, no symlink
/// followed, hard links only to paths inside. Device nodes and fifos in a layer are skipped. Files
/// keep their xattrs (a `security.capability` survives a RUN that changes the file), except
/// overlayfs's own, which a layer could use to redirect the mount.
///
/// The layer's index is read in the same pass, so a layer being unpacked is never read again for
/// its headers. From a download still arriving, nothing is kept unless its bytes matched their
/// digest: the caller removes `directory` when this throws.
public enum LayerExtractor {
    /// Unpacks the blob at `blob`; returns the layer's index.
    @discardableResult
    public static func extract(blob: String, into directory: String) throws -> LayerIndex {
        try extract(LayerInput(path: blob), into: directory)
    }

    /// Unpacks `input` (a file, or a download still arriving); returns the layer's index. Throws
    /// `LayerError` for a layer it cannot read or place, or whose bytes do not match their digest.
    public static func extract(_ input: LayerInput, into directory: String) throws -> LayerIndex {
        let tree = try ContainedTree(root: directory, recordUnmappedOwners: true)
        let reader = try TarReader(input: input)
        var index = LayerIndex()
        var directories: [TarHeader] = []
        while let header = try reader.next() {
            index.add(header)
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
        try reader.finish()
        try tree.settleDirectoryTimes(directories)
        index.settle()
        return index
    }
}
