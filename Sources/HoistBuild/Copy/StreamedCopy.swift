import HoistContent
import HoistLayers

/// COPY of one directory written while its source is read: each entry placed as it comes and its
/// body passed straight into the new layer. There is no walk held in memory, no staged body, and
/// nothing kept per file but a hard link's first path, so the time and memory of 200,000 files
/// are those of one pass over them. Two sources stream:
/// - a directory of an image or stage that one layer holds whole (`FilesystemView.soleLayer`),
///   read from that layer's tar;
/// - a directory of the build context, walked depth first with names in byte order.
///
/// The entries must come in `PathOrder`, as the walk gives them and as layers Hoist and BuildKit
/// write list them (the new layer needs that order), and a layer's entries must be the ones its
/// index holds (a path the tar lists twice is the index's last one). When they are not, `write`
/// stops, stores nothing and returns nil, and the COPY is made the general way
/// (`ViewSource.match`, `ContextSource.match`). A layer holding a hard link or a device below the
/// directory is sent that way before anything is read (`ViewSource.streamed`).
struct StreamedCopy: Sendable {
    enum Source: Sendable {
        /// The layer's blob in the store, the resolved directory in its image ("" is the root), the
        /// layer's index, and how many entries it lists below the directory: reading stops after the last.
        case layer(blob: String, directory: String, index: LayerIndex, entries: Int)
        /// The directory's real path, and its path relative to the context (for `.dockerignore`).
        case context(ContextSource, directory: String, contextPath: String)
    }

    let source: Source

    /// A regular file's bytes read as they are written: hands them to the function it is given.
    private typealias Body = ((UnsafeRawBufferPointer) throws -> Void) throws -> Void

    /// What `write` made: the layer, how many entries it holds, and the bytes of their files.
    struct Written: Sendable {
        var layer: BuiltLayer
        var entries: Int
        var fileBytes: Int64
    }

    /// Writes `created` (the directories the COPY makes, ancestors of every placed entry), then
    /// each entry below the source directory as `place` makes it from its item (nil leaves it
    /// out), into a new layer in `store`. Nil when the source cannot be streamed (see the type);
    /// throws what reading the source or writing the layer throws.
    func write(created: [LayerEntry], place: (CopyItem) -> LayerEntry?, into store: ContentStore,
               compression: LayerCompression) throws -> Written? {
        var count = 0
        var fileBytes: Int64 = 0
        do {
            let layer = try LayerBuilder.write(into: store, compression: compression) { tar in
                var written: String?
                for entry in PathOrder.sorted(created, by: \.path) {
                    try tar.append(entry)
                    written = entry.path
                }
                count = created.count
                // Files that are one file on disk: the first path in layer order keeps the bytes.
                var linked: [FileIdentity: String] = [:]
                func add(_ item: CopyItem, body: Body?) throws {
                    guard var entry = place(item) else { return }
                    if let written, !PathOrder.precedes(written, entry.path) { throw NotStreamable() }
                    written = entry.path
                    count += 1
                    if let identity = item.linkIdentity {
                        if let first = linked[identity] {
                            entry.kind = .hardlink(target: first)
                        } else {
                            linked[identity] = entry.path
                        }
                    }
                    if case let .file(_, size, _) = entry.kind {
                        fileBytes += size
                        if let body { return try tar.append(entry, body: body) }
                    }
                    try tar.append(entry)
                }
                switch source {
                case let .layer(blob, directory, index, entries):
                    try Self.read(blob: blob, below: directory, index: index, entries: entries, add)
                case let .context(context, directory, contextPath):
                    try context.walk(directory, relative: "", contextPath: contextPath) { try add($0, body: nil) }
                }
            }
            return Written(layer: layer, entries: count, fileBytes: fileBytes)
        } catch is NotStreamable {
            return nil
        }
    }

    /// Hands `add` each entry below `directory` in the layer `blob`, in the layer's order, with
    /// a regular file's body to be read as it is written.
    private static func read(blob: String, below directory: String, index: LayerIndex, entries: Int,
                             _ add: (CopyItem, Body?) throws -> Void) throws {
        let reader = try TarReader(path: blob)
        let prefix = directory.isEmpty ? "" : directory + "/"
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var seen = 0
        var read: String?
        while seen < entries, let header = try reader.next() {
            guard header.path.hasPrefix(prefix), header.path != directory,
                  Whiteout.deletedPath(header.path) == nil, Whiteout.opaqueDirectory(header.path) == nil else { continue }
            // Strictly increasing source paths are distinct ones, so the index's count ends the read;
            // a path listed again later would have replaced this header in the index.
            if let read, !PathOrder.precedes(read, header.path) { throw NotStreamable() }
            guard index.entries[header.path] == header else { throw NotStreamable() }
            read = header.path
            seen += 1
            let kind: CopyItem.Kind
            switch header.kind {
            case .file: kind = .file(body: "", size: header.size)
            case .directory: kind = .directory
            case let .symlink(target): kind = .symlink(target: target)
            case .hardlink, .other: throw NotStreamable()  // the index said none was there
            }
            let item = CopyItem(relative: String(header.path.dropFirst(prefix.count)), kind: kind, mode: header.mode,
                                uid: header.uid, gid: header.gid, mtime: header.mtime)
            try add(item, header.kind == .file ? { write in try reader.streamBody(expected: header.size, buffer: &buffer, write) } : nil)
        }
        // Fewer entries than the index lists: not the layer the index describes.
        if seen < entries { throw NotStreamable() }
    }

    private struct NotStreamable: Error {}
}
