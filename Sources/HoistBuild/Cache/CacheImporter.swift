import Foundation
import HoistContent
import HoistOCI
import HoistRegistry

/// `--cache-from`: reads a cache's manifest (an image manifest whose config is BuildKit's cache
/// config, or BuildKit's older index form) and its config, nothing else. Records and layer indexes
/// come back as references into the registry or layout; their bytes move only when a build needs them.
struct CacheImporter {
    let registry: RegistryClient

    /// The records Hoist wrote into the cache at `location`, the layer indexes it carries (by
    /// layer digest) and the images' first `created` times (`FirstBuildTime`). A cache BuildKit
    /// wrote gives none. Throws the registry's or layout's error, or `CacheError` for what is not
    /// a Hoist-readable cache.
    func read(_ location: CacheLocation) async throws
        -> (records: [BuildCache.Imported], indexes: [Digest: LayerRef], created: [String: String]) {
        let top: [UInt8]
        let blob: (Descriptor) -> LayerRef
        switch location {
        case let .registry(reference):
            let (fetched, endpoint) = try await registry.manifest(for: reference)
            top = fetched.bytes
            blob = { LayerRef(descriptor: $0, diffID: $0.digest, source: .remote(endpoint)) }
        case let .local(directory, tag):
            let layout = OCILayout(path: directory)
            top = try layout.verifiedBlob(try layout.select(tag).digest)
            blob = { LayerRef(descriptor: $0, diffID: $0.digest, source: .file(layout.blobPath($0.digest))) }
        }
        let name = "\(location)"
        let (configDescriptor, blobs) = try Self.envelope(top, location: name)
        let configRef = blob(configDescriptor)
        let config: CacheConfig
        do {
            config = try JSONDecoder().decode(CacheConfig.self, from: Data(try await configRef.bytes(using: registry)))
        } catch let error as DecodingError {
            throw CacheError.malformed(name, "its config does not parse (\(error))")
        }
        guard let hoist = config.hoist, hoist.version == 1 else { return ([], [:], [:]) }
        let byDigest = Dictionary(blobs.map { ($0.digest.description, $0) }) { first, _ in first }
        let layers = config.layers ?? []
        let records = config.records ?? []
        var imported: [BuildCache.Imported] = []
        for step in hoist.steps {
            guard records.indices.contains(step.record), let digest = records[step.record].digest, digest.hasPrefix("sha256:"),
                  let result = records[step.record].layers?.first, layers.indices.contains(result.layer),
                  let descriptor = byDigest[layers[result.layer].blob],
                  let diffID = layers[result.layer].annotations?.diffID.flatMap({ try? Digest(parsing: $0) }) else {
                throw CacheError.malformed(name, "step \"\(step.step)\" names a record or layer that is not there")
            }
            let record = CacheRecord(key: String(digest.dropFirst("sha256:".count)), step: step.step, inputs: step.inputs,
                                     layer: descriptor, diffID: diffID)
            imported.append(BuildCache.Imported(record: record, source: blob(descriptor).source, origin: name))
        }
        var indexes: [Digest: LayerRef] = [:]
        for entry in hoist.indexes {
            guard let layer = try? Digest(parsing: entry.layer), let descriptor = byDigest[entry.blob] else {
                throw CacheError.malformed(name, "the index of \(entry.layer) is not in the manifest")
            }
            indexes[layer] = blob(descriptor)
        }
        return (imported, indexes, hoist.created ?? [:])
    }

    /// The config descriptor and the other blobs of a cache manifest, in either of BuildKit's envelopes.
    static func envelope(_ bytes: [UInt8], location: String) throws -> (config: Descriptor, blobs: [Descriptor]) {
        struct Probe: Decodable { var config: Descriptor?; var layers: [Descriptor]?; var manifests: [Descriptor]? }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes)) else {
            throw CacheError.malformed(location, "its manifest does not parse")
        }
        if let manifests = probe.manifests {
            guard let config = manifests.first(where: { $0.mediaType == CacheConfig.mediaType }) else {
                throw CacheError.notACache(location, mediaType: "an index without one")
            }
            return (config, manifests.filter { $0.mediaType != CacheConfig.mediaType })
        }
        guard let config = probe.config else { throw CacheError.malformed(location, "its manifest has no config") }
        guard config.mediaType == CacheConfig.mediaType else { throw CacheError.notACache(location, mediaType: config.mediaType.rawValue) }
        return (config, probe.layers ?? [])
    }
}
