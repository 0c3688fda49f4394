import HoistContent
import HoistLayers

/// COPY --from of one directory that a single layer holds whole (`FilesystemView.soleLayer`):
/// the new layer is written while that layer's tar is read, each entry placed as it comes and
/// its body passed straight through. There is no walk, no staged body, and nothing held per
/// file, so the time and memory of 200,000 files are those of one pass over their layer.
///
/// The source's entries must come in `PathOrder`, as layers Hoist and BuildKit write do (the new
/// layer needs that order). When they do not, or a hard link or a device is met, `write` stops,
/// stores nothing and returns nil, and the COPY is made the general way (`ViewSource.match`).
struct StreamedCopy: Sendable {
    /// The source layer's blob in the store.
    let blob: String
    /// The resolved source directory in its image ("" is the root).
    let directory: String
    /// How many entries the layer's index lists below `directory`: reading stops after the last.
    let entries: Int

    /// What `write` made: the layer, how many entries it holds, and the bytes of their files.
    struct Written: Sendable {
        var layer: BuiltLayer
        var entries: Int
        var fileBytes: Int64
    }

    /// Writes `created` (the directories the COPY makes, ancestors of every placed entry), then
    /// each entry below `directory` in the blob as `place` makes it from its item (nil leaves it
    /// out), into a new layer in `store`. Nil when the blob cannot be streamed (see the type);
    /// throws what reading the blob or writing the layer throws.
    func write(created: [LayerEntry], place: (CopyItem) -> LayerEntry?, into store: ContentStore,
               compression: LayerCompression) throws -> Written? {
        let reader = try TarReader(path: blob)
        let prefix = directory.isEmpty ? "" : directory + "/"
        var count = 0
        var fileBytes: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        do {
            let layer = try LayerBuilder.write(into: store, compression: compression) { tar in
                var written: String?
                for entry in PathOrder.sorted(created, by: \.path) {
                    try tar.append(entry)
                    written = entry.path
                }
                count = created.count
                var seen = 0
                var read: String?
                while seen < entries, let header = try reader.next() {
                    guard header.path.hasPrefix(prefix), header.path != directory,
                          Whiteout.deletedPath(header.path) == nil, Whiteout.opaqueDirectory(header.path) == nil else { continue }
                    // Strictly increasing source paths are distinct ones, so the index's count ends the read.
                    if let read, !PathOrder.precedes(read, header.path) { throw NotStreamable() }
                    read = header.path
                    seen += 1
                    let kind: CopyItem.Kind
                    switch header.kind {
                    case .file: kind = .file(body: "", size: header.size)
                    case .directory: kind = .directory
                    case let .symlink(target): kind = .symlink(target: target)
                    // A hard link becomes a file with its target's bytes, which have gone by: the general way copies it.
                    case .hardlink, .other: throw NotStreamable()
                    }
                    let item = CopyItem(relative: String(header.path.dropFirst(prefix.count)), kind: kind, mode: header.mode,
                                        uid: header.uid, gid: header.gid, mtime: header.mtime)
                    guard let entry = place(item) else { continue }
                    if let written, !PathOrder.precedes(written, entry.path) { throw NotStreamable() }
                    written = entry.path
                    count += 1
                    guard case .file = header.kind else {
                        try tar.append(entry)
                        continue
                    }
                    try tar.append(entry) { write in try reader.streamBody(expected: header.size, buffer: &buffer, write) }
                    fileBytes += header.size
                }
                // Fewer entries than the index lists: not the layer the index describes.
                if seen < entries { throw NotStreamable() }
            }
            return Written(layer: layer, entries: count, fileBytes: fileBytes)
        } catch is NotStreamable {
            return nil
        }
    }

    private struct NotStreamable: Error {}
}
