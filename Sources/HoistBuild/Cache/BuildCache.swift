import Foundation
import HoistContent
import HoistLayers
import HoistOCI

/// Step results shared between builds, looked up by `CacheKey`: this machine's records
/// (`$HOIST_ROOT/run-cache/KEY`, whose layer must still be in the content store) first, then the
/// caches given with `--cache-from`, in order, whose layers stay references into their registry
/// or layout until something needs their bytes. Every step a build does is collected for
/// `--cache-to` (`CacheExporter`). RUN, WORKDIR and COPY --from a stage or an image are always
/// kept on this machine (their keys cost next to nothing); COPY and ADD of context files only when the build
/// imports or exports a cache, since writing those layers again costs about what hashing their
/// sources does.
actor BuildCache {
    /// What a lookup found: a layer to use, and where it came from (`this machine`, a cache's
    /// name); or why there was nothing.
    enum Lookup {
        case hit(LayerRef, from: String)
        case miss(String)
    }

    /// A record of an imported cache, with where its layer is and the cache's name.
    struct Imported: Sendable {
        var record: CacheRecord
        var source: LayerRef.Source
        var origin: String
    }

    let directory: String
    let store: ContentStore
    /// Separates the step pointers of different projects on one machine (the context directory).
    let scope: String
    let noCache: Bool
    /// COPY and ADD results from the context are looked up and kept too (a cache is imported or exported).
    nonisolated let copiesCached: Bool
    nonisolated let warn: @Sendable (String) -> Void
    private var imported: [String: Imported] = [:]
    private var importedSteps: [String: CacheRecord] = [:]
    /// Layer indexes offered by imported caches: layer digest ▸ the index blob and where it is.
    private(set) var importedIndexes: [Digest: LayerRef] = [:]
    /// Every step this build did or found, in order, for `--cache-to`.
    private(set) var produced: [(record: CacheRecord, layer: LayerRef)] = []
    private var producedKeys: Set<String> = []
    /// `FirstBuildTime`s: image key ▸ `created`, imported and made by this build.
    private(set) var importedCreated: [String: String] = [:]
    private(set) var created: [String: String] = [:]

    init(directory: String, store: ContentStore, scope: String, noCache: Bool, copiesCached: Bool,
         warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.store = store
        self.scope = scope
        self.noCache = noCache
        self.copiesCached = copiesCached
        self.warn = warn
    }

    /// Adds a cache's records and indexes; an earlier cache's record for the same key wins.
    func add(_ records: [Imported], indexes: [Digest: LayerRef], created: [String: String]) {
        importedCreated.merge(created) { old, _ in old }
        for entry in records where imported[entry.record.key] == nil {
            imported[entry.record.key] = entry
            if importedSteps[entry.record.step] == nil { importedSteps[entry.record.step] = entry.record }
        }
        importedIndexes.merge(indexes) { old, _ in old }
    }

    /// Steps being run now under a claim, with the lookups waiting for their results.
    private var running: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// `lookup`, but a miss claims `key` for the caller, which must `release` it when its step has
    /// recorded its result or failed. A lookup of a claimed key waits for the release and looks
    /// again: two stages running the same step at once run it once, as BuildKit merges identical
    /// vertices, and the image is the one a build of one stage after another gives.
    func claim(_ key: CacheKey, step: String) async -> Lookup {
        while running[key.key] != nil {
            await withCheckedContinuation { running[key.key, default: []].append($0) }
        }
        let result = lookup(key, step: step)
        if case .miss = result, !noCache { running[key.key] = [] }
        return result
    }

    /// Ends the claim on `key` and wakes the lookups waiting for it.
    func release(_ key: CacheKey) {
        for waiter in running.removeValue(forKey: key.key) ?? [] { waiter.resume() }
    }

    /// The result for `key`, or why there is none: the first input that changed since the last
    /// result of the same `step`, when one is known.
    func lookup(_ key: CacheKey, step: String) -> Lookup {
        if noCache { return .miss("--no-cache") }
        let name = key.key
        if let local = localRecord(name), store.contains(local.layer.digest) {
            return .hit(LayerRef(descriptor: local.layer, diffID: local.diffID, source: .store), from: "this machine")
        }
        if let found = imported[name] {
            return .hit(LayerRef(descriptor: found.record.layer, diffID: found.record.diffID, source: found.source), from: found.origin)
        }
        let earlier = importedSteps[step] ?? stepPointer(step).flatMap(localRecord)
        guard let earlier else { return .miss("no earlier result for this step") }
        return .miss(key.firstChange(since: earlier.inputs) ?? "its earlier result is gone")
    }

    func noteCreated(key: String, time: String) { created[key] = time }

    /// Keeps the step's result: for `--cache-to`, and on this machine when its layer's bytes are in the store.
    func record(_ key: CacheKey, step: String, layer: LayerRef) {
        let record = CacheRecord(key: key.key, step: step, inputs: key.inputs, layer: layer.descriptor, diffID: layer.diffID)
        if producedKeys.insert(record.key).inserted { produced.append((record, layer)) }
        // Sorted keys: the same record gives the same bytes, so a hit does not write it again (`CacheFile`).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard store.contains(layer.descriptor.digest), let data = try? encoder.encode(record) else { return }
        CacheFile.write(data, to: directory + "/" + record.key)
        CacheFile.write(Data(record.key.utf8), to: stepPointerPath(step))
    }

    private func localRecord(_ key: String) -> CacheRecord? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + key) else { return nil }
        return try? JSONDecoder().decode(CacheRecord.self, from: data)
    }

    /// `.step-HASH` names the key of the last result of a step of this project; the dot keeps it
    /// out of `hoist prune`'s count of results.
    private func stepPointerPath(_ step: String) -> String {
        directory + "/.step-" + Digest.sha256(of: Array((scope + "\n" + step).utf8)).encoded.prefix(32)
    }

    private func stepPointer(_ step: String) -> String? {
        FileManager.default.contents(atPath: stepPointerPath(step)).map { String(decoding: $0, as: UTF8.self) }
    }
}
