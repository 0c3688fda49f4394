import Foundation
import HoistDockerfile
import HoistLayers
import HoistOCI

/// The build cache around a step: look its key up, say `CACHED` or which input changed, keep
/// its result. Keys are built in each concern (RUN, COPY/ADD, WORKDIR) from what it reads.
extension StageExecutor {
    /// The cached layer for `key`, or nil when the step must run. A hit stays a reference into its
    /// registry or layout unless its bytes will be needed (a RUN follows, or the outputs need
    /// them): then it is fetched and verified now, and one that fails is refused with a warning.
    /// `claim`: a miss claims the key (`BuildCache.claim`); the caller then releases it.
    func cachedLayer(_ key: CacheKey, step: Step, what: String, claim: Bool = false) async -> LayerRef? {
        switch claim ? await cache.claim(key, step: step.id) : await cache.lookup(key, step: step.id) {
        case let .hit(layer, from):
            // The key includes the compression, so only a cache written otherwise (by hand) gets here.
            guard ImageAssembler.ociMediaType(for: layer.descriptor.mediaType) == compression.mediaType else {
                log("  line \(step.line): \(what) not cached: the cached layer from \(from) is \(layer.descriptor.mediaType), not \(compression.mediaType)")
                return nil
            }
            if hitsNeedBytes || step.runFollows {
                do {
                    try await layer.localize(using: sources.registry)
                } catch {
                    cache.warn("line \(step.line): \(what): the cached layer \(layer.descriptor.digest) from \(from) is refused "
                        + "(\(error)); running the step")
                    return nil
                }
            }
            ProgressVertex.current?.markCached()
            log("  line \(step.line): \(what) CACHED (layer \(layer.descriptor.digest.encoded.prefix(12)) from \(from))")
            await cache.record(key, step: step.id, layer: layer)
            return layer
        case let .miss(why):
            log("  line \(step.line): \(what) not cached: \(why)")
            return nil
        }
    }

    /// What every layer-making step's key starts with: the layers it lands on and how layers are written.
    func baseKey(_ kind: String, state: StageState) -> CacheKey {
        var key = CacheKey(kind: kind)
        key.add("the layers below", state.layers.map(\.diffID.description))
        key.add("SOURCE_DATE_EPOCH", clock.epoch.map(String.init) ?? "")
        key.add("compression", "\(compression)")
        // Layers written before entries came in BuildKit's depth-first order, or before a RUN layer
        // left out the directories the command did not change, are not reused.
        key.add("layer rules", "depth-first entry order; unchanged directories left out")
        return key
    }

    /// COPY/ADD's key, or nil when a source cannot be named by content (a URL, a git repository,
    /// a directory given with --build-context): those always run. Context files count by path,
    /// type, mode, owner, xattrs and bytes, not by mtime, as BuildKit's content checksums do.
    func copyKey(_ spec: CopySpec, keyword: String, from: String?, parents: Bool, add: AddInstruction?, state: StageState,
                 stage: Stage, environment: [String: String], location: SourceLocation) async throws -> CacheKey? {
        var key = baseKey("copy", state: state)
        key.add("the instruction", [keyword, "\(spec)", from ?? "", "\(parents)", add.map { "\($0)" } ?? ""])
        key.add("working directory", state.workingDirectory)
        for heredoc in spec.heredocs {
            key.add("heredoc " + heredoc.name, (try? heredoc.body(environment: environment)) ?? heredoc.content)
        }
        if let from {
            switch try await resolver.resolve(from, in: stage, built: built, use: .content, location: location) {
            case .directory: return nil
            case let .state(source, name): key.add(name, source.layers.map(\.diffID.description))
            }
            return key
        }
        for word in spec.sources where Heredoc.name(ofMarker: word) == nil {
            if add != nil, try RemoteSource(word) != nil { return nil }
            for match in try context.match(word) {
                let root = match.sourcePath.isEmpty ? match.name : match.sourcePath
                var st = stat()
                key.add("source " + root, ["\(match.isDirectory)", lstat(context.root + "/" + root, &st) == 0 ? "\(st.st_mode)" : ""])
                for item in match.items {
                    let hasher = SHA256Hasher()
                    CacheKey.feed(hasher, "\(item.mode) \(item.uid) \(item.gid) \(item.onlyIfMissing)")
                    for (name, value) in item.xattrs.sorted(by: { $0.key < $1.key }) { CacheKey.feed(hasher, name); hasher.update(value) }
                    switch item.kind {
                    case .directory: CacheKey.feed(hasher, "directory")
                    case let .symlink(target): CacheKey.feed(hasher, "symlink " + target)
                    case let .file(body, size, _):  // context files: whole, from offset 0
                        CacheKey.feed(hasher, "file \(size)")
                        try CacheKey.feedFile(hasher, body)
                    }
                    key.add("file " + (item.relative.isEmpty ? root : root + "/" + item.relative), hasher)
                }
            }
        }
        return key
    }
}
