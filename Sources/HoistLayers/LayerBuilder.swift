import CArchive
import Foundation
import HoistContent
import HoistOCI

/// A layer written into the content store.
public struct BuiltLayer: Sendable, Equatable {
    public var descriptor: Descriptor
    /// sha256 of the uncompressed tar, for the config's rootfs.diff_ids.
    public var diffID: Digest
}

/// Writes entries as a deterministic layer in one pass: tar (libarchive, PAX) ▸ sha256 for the
/// diffID ▸ gzip ▸ sha256 for the digest ▸ the store. Entries are sorted by path; ownership,
/// mode and mtime (whole seconds) come only from the entry, never from the machine.
public enum LayerBuilder {
    public static func write(_ entries: [LayerEntry], into store: ContentStore, compression: LayerCompression = .gzip) throws -> BuiltLayer {
        try write(into: store, compression: compression) { sink in
            try TarWriter.write(PathOrder.sorted(entries, by: \.path), to: sink)
        }
    }

    /// Writes the entries `produce` adds, in the order it adds them, as `write(_:into:compression:)`
    /// does: for entries that come already in `PathOrder` (another layer's, read as it streams), so
    /// none is held in memory. Throws what `produce` throws; then nothing is stored.
    public static func write(into store: ContentStore, compression: LayerCompression = .gzip,
                             streaming produce: (TarWriter.Appender) throws -> Void) throws -> BuiltLayer {
        try write(into: store, compression: compression) { sink in
            try TarWriter.write(to: sink, produce)
        }
    }

    /// An existing layer blob (gzip, zstd or plain) compressed anew, for `force-compression`. The
    /// tar inside is unchanged, so the result must have the same diffID: that is checked.
    public static func recompress(blob path: String, diffID: Digest, into store: ContentStore, compression: LayerCompression) throws -> BuiltLayer {
        let built = try write(into: store, compression: compression) { sink in
            try RawDecompressor.read(path) { bytes in
                try sink.consume(bytes)
            }
        }
        guard built.diffID == diffID else {
            throw LayerError.compression("\(path): recompressing changed the layer's content (diffID \(built.diffID), expected \(diffID))")
        }
        return built
    }

    private static func write(into store: ContentStore, compression: LayerCompression, tar: (TarWriter.Sink) throws -> Void) throws -> BuiltLayer {
        let blob = try store.writer()
        let diffHasher = SHA256Hasher()
        let compress: (UnsafeRawBufferPointer) throws -> Void
        let finish: () throws -> Void
        switch compression {
        case let .gzip(level):
            let gzip = try ParallelGzip(level: level) { try blob.write($0) }
            (compress, finish) = (gzip.write, gzip.finish)
        case let .zstd(level):
            let zstd = try ZstdCompressor(level: level) { try blob.write($0) }
            (compress, finish) = (zstd.write, zstd.finish)
        case .uncompressed:
            (compress, finish) = ({ try blob.write($0) }, {})
        }
        let sink = TarWriter.Sink { bytes in
            diffHasher.update(bytes)
            try compress(bytes)
        }
        do {
            try tar(sink)
            try finish()
            let digest = try blob.commit()
            return BuiltLayer(descriptor: Descriptor(mediaType: compression.mediaType, digest: digest, size: store.size(of: digest) ?? 0),
                              diffID: diffHasher.finalize())
        } catch {
            blob.abort()
            throw error
        }
    }
}
