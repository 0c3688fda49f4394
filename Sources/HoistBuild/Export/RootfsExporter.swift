import Foundation
import HoistLayers
import HoistOCI

/// `type=local,dest=DIR` and `type=tar,dest=FILE`: the image's merged root filesystem — the layers
/// applied in order, whiteouts honoured — read through a FilesystemView, written without ever
/// following a symlink out of the destination.
struct RootfsExporter {
    let sources: ImageSources
    let scratch: String

    func writeDirectory(_ layers: [LayerRef], to dest: String) async throws {
        let (entries, bodies) = try await merged(layers)
        let tree = try ContainedTree(root: dest)
        try await Blocking.run { [entries, bodies] in
            for found in entries { try tree.write(found.header, body: bodies[found.header.path]) }
            try tree.settleDirectoryTimes(entries.map(\.header))
        }
    }

    func writeTar(_ layers: [LayerRef], to dest: String) async throws {
        let (entries, bodies) = try await merged(layers)
        let items: [LayerEntry] = entries.compactMap { found in
            let h = found.header
            let kind: LayerEntry.Kind
            switch h.kind {
            case .directory: kind = .directory
            case let .symlink(target): kind = .symlink(target: target)
            case .file, .hardlink:
                guard let body = bodies[h.path] else { return nil }
                let size = (try? FileManager.default.attributesOfItem(atPath: body)[.size] as? NSNumber)?.int64Value ?? 0
                kind = .file(source: body, size: size)
            case .other: return nil
            }
            return LayerEntry(path: h.path, kind: kind, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime)
        }
        try await Blocking.run { try TarWriter.write(items, toFile: dest) }
    }

    private func merged(_ layers: [LayerRef]) async throws -> ([FilesystemView.Found], [String: String]) {
        let view = sources.view(over: layers, storeBlobs: true)  // every body is read: fetch each layer once
        let entries = try await view.walk("")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let bodies = try await view.extractBodies(entries, into: scratch)
        return (entries, bodies)
    }
}
