import Foundation
import HoistContent

/// An OCI layout as a tar (`oci-archive:`, `-o type=oci`, `-o type=docker`) and back.
extension OCILayout {
    /// Tars the layout to `file`: `oci-layout`, `index.json`, `extra` top-level files (docker's
    /// manifest.json) and every blob, with fixed owners and times.
    public func tar(to file: String, extra: [String] = []) throws {
        var entries = [LayerEntry(path: "blobs", kind: .directory, mode: 0o755, mtime: 0),
                       LayerEntry(path: "blobs/sha256", kind: .directory, mode: 0o755, mtime: 0)]
        func size(_ file: String) throws -> Int64 {
            (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        }
        for name in ["oci-layout", "index.json"] + extra {
            entries.append(LayerEntry(path: name, kind: .file(source: path + "/" + name, size: try size(path + "/" + name)), mode: 0o644, mtime: 0))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: path + "/blobs/sha256").sorted() where !name.hasSuffix(".partial") {
            let blob = path + "/blobs/sha256/" + name
            entries.append(LayerEntry(path: "blobs/sha256/" + name, kind: .file(source: blob, size: try size(blob)), mode: 0o644, mtime: 0))
        }
        try TarWriter.write(entries, toFile: file)
    }

    /// Unpacks a tarred layout into this directory: `oci-layout`, `index.json` and `blobs/` only,
    /// every path kept inside (TarReader's containment).
    public func untar(from archive: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let reader = try TarReader(path: archive)
        while let header = try reader.next() {
            let name = header.path
            guard !name.isEmpty, name.hasPrefix("blobs") || name == "index.json" || name == "oci-layout" else { continue }
            let target = path + "/" + name
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
