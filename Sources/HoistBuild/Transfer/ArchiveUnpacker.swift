import Foundation
import HoistLayers

/// Unpacks an `oci-archive:` tarball (an OCI layout in a tar) into a directory: regular files and
/// directories only, every path kept inside the directory.
enum ArchiveUnpacker {
    static func unpack(_ archive: String, into directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let reader = try TarReader(path: archive)
        while let header = try reader.next() {
            let path = header.path  // normalised: no leading /, no .. escaping the root
            guard !path.isEmpty, path.hasPrefix("blobs") || path == "index.json" || path == "oci-layout" else { continue }
            let target = directory + "/" + path
            switch header.kind {
            case .directory:
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            case .file:
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try? FileManager.default.removeItem(atPath: target)
                try reader.extractBody(to: target)
            default:
                continue
            }
        }
    }
}
