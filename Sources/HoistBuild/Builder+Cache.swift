import Foundation
import HoistOCI

/// `--cache-from` before the stages, `--cache-to` after the outputs (docs/cache.md).
extension Builder {
    /// This machine's results and every `--cache-from`, in order. A cache that cannot be read is a
    /// warning: the build goes on without it.
    func loadCache(dockerfilePath: String) async -> BuildCache {
        let scope = URL(fileURLWithPath: options.contextDirectory).standardizedFileURL.path + "\n" + dockerfilePath
        let cache = BuildCache(directory: options.root.appendingPathComponent("run-cache").path, store: store, scope: scope,
                               noCache: options.noCache, copiesCached: !options.cacheFrom.isEmpty || !options.cacheTo.isEmpty, warn: warn)
        guard !options.noCache else { return cache }
        for spec in options.cacheFrom {
            do {
                let (records, indexes, created) = try await CacheImporter(registry: registry).read(spec.location)
                await cache.add(records, indexes: indexes, created: created)
                log("cache: \(records.count) step(s) and \(indexes.count) layer index(es) from \(spec.location)"
                    + (records.isEmpty ? " (no Hoist records: a cache of another builder, or empty)" : ""))
            } catch {
                warn("cache \(spec.location) cannot be read, building without it: \(error)")
            }
        }
        return cache
    }

    /// Lets the build fetch a layer's index from an imported cache instead of reading the layer.
    func offerIndexes(of cache: BuildCache) async {
        let registry = self.registry
        var fetches: [Digest: @Sendable () async throws -> [UInt8]] = [:]
        for (layer, blob) in await cache.importedIndexes {
            fetches[layer] = { try await blob.bytes(using: registry) }
        }
        if !fetches.isEmpty { await indexCache.offer(fetches, warn: warn) }
    }

    /// Writes every `--cache-to`. A failure throws `CacheError.exportFailed` unless that export says `ignore-error=true`.
    func exportCache(_ cache: BuildCache, images: [AssembledImage]) async throws {
        guard !options.cacheTo.isEmpty else { return }
        // Stages and platforms finish in any order: sort, so the cache's bytes do not depend on it.
        let steps = await cache.produced.sorted { $0.record.key < $1.record.key }
        let indexes = await indexCache.served()
        let finalLayers = Set(images.flatMap { $0.layers.map(\.descriptor.digest) })
        for spec in options.cacheTo {
            if let asked = spec.compression, asked.mediaType != options.compression.mediaType {
                // A step's key includes how its layer is written, so the cache keeps the build's own layers.
                warn("--cache-to \(spec.location): compression=\(asked.mediaType.rawValue.split(separator: "+").last ?? "") is ignored: "
                    + "a cache holds the build's own layers (give --compression to build them so)")
            }
            do {
                try await CacheExporter(registry: registry, log: log).export(steps, finalLayers: finalLayers, indexes: indexes,
                                                                                created: await cache.created, to: spec)
            } catch where spec.ignoreError {
                warn("cache export to \(spec.location) failed (ignore-error=true): \(error)")
            } catch {
                throw CacheError.exportFailed("\(spec.location)", error)
            }
        }
    }
}
