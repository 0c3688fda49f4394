import Foundation
import HoistContent
import HoistDockerfile
import HoistLayers
import HoistOCI
import HoistSandbox
import HoistRegistry

/// What a build produced.
public struct BuildResult: Sendable {
    /// The image of the first platform (the only one, usually).
    public var image: AssembledImage
    /// Every platform's image, in the order of `--platform`.
    public var images: [AssembledImage]
    /// The index over `images` when more than one platform was built.
    public var index: (digest: Digest, bytes: [UInt8])?
    /// What names the result: the index digest for several platforms, else the manifest digest.
    public var digest: Digest { index?.digest ?? image.manifestDigest }
    /// Manifest digest per pushed tag.
    public var pushed: [Reference]
    public var stats: TransferStats
    /// Bytes of the external images' layers (FROM, COPY --from) downloaded: 0 when every step
    /// was assembled from references.
    public var baseLayerBytesDownloaded: Int64 = 0
}

/// Runs a build: parse ▸ plan ▸ assemble each needed stage from layers ▸ export. Stages that do
/// not depend on each other run at once, and so do platforms (`BuildLimits`); what happens is told
/// to a `BuildProgress` as BuildKit's vertices.
public struct Builder: Sendable {
    public let options: BuildOptions
    public let store: ContentStore
    public let registry: RegistryClient
    /// Layers unpacked for RUN, one directory per diffID, kept under `$HOIST_ROOT/snapshots`.
    let snapshotter: Snapshotter
    /// Base layers' indexes (`$HOIST_ROOT/indexes`), one cache for every platform of the build.
    let indexCache: LayerIndexCache
    let progress: BuildProgress
    let limits: BuildLimits
    /// A note under the current vertex (or about the build); a warning (lint, unused build args).
    let log: @Sendable (String) -> Void
    let warn: @Sendable (String) -> Void

    /// Throws for an unreadable registries.conf or content store.
    public init(options: BuildOptions, progress: BuildProgress) throws {
        self.options = options
        self.progress = progress
        log = { progress.log($0) }
        warn = { progress.warning($0) }
        limits = BuildLimits(jobs: options.jobs)
        store = try ContentStore(root: options.root)
        registry = RegistryClient(conf: try RegistriesConf.load(explicitPath: options.registriesConf), store: store,
                                  insecureHosts: options.insecureRegistries, observer: progress.transferObserver,
                                  warn: { progress.warning($0) })
        // Rootless snapshots mark opaque directories with user.overlay.* instead of trusted.overlay.*.
        snapshotter = Snapshotter(root: options.root.appendingPathComponent(UserNamespace.snapshotDirectoryName).path)
        indexCache = LayerIndexCache(directory: store.root.appendingPathComponent("indexes").path)
    }

    /// `log` receives progress as lines (`BuildProgress.lines`); `warn` receives warnings (Dockerfile lint, unused build args).
    public init(options: BuildOptions, log: @escaping @Sendable (String) -> Void = { _ in },
                warn: @escaping @Sendable (String) -> Void = { _ in }) throws {
        try self.init(options: options, progress: .lines(log, warn: warn))
    }

    /// Builds and exports. On failure, first waits for downloads that were abandoned (each stops
    /// within about a second), so nothing partial is left behind when the process exits.
    public func run() async throws -> BuildResult {
        do {
            return try await build()
        } catch {
            await registry.settle()
            throw error
        }
    }

    private func build() async throws -> BuildResult {
        let started = Date()
        let dockerfilePath = options.dockerfile ?? options.contextDirectory + "/Dockerfile"
        let dockerfile = try await progress.start(StageLabel.internal("load build definition from \((dockerfilePath as NSString).lastPathComponent)", platform: nil)).run {
            try readDockerfile(dockerfilePath)
        }
        for warning in dockerfile.warnings { warn("\(warning)") }
        let wantsPush = options.wantsPush
        if wantsPush, options.tags.isEmpty { throw BuildError.context("--push needs at least one -t NAME:TAG to push to") }
        let keepLocally = !wantsPush && options.outputs.isEmpty
        let platforms = options.platforms.isEmpty ? [options.platform] : options.platforms
        let cache = await loadCache(dockerfilePath: dockerfilePath)
        await offerIndexes(of: cache)
        let built = try await buildPlatforms(platforms, dockerfile: dockerfile, dockerfilePath: dockerfilePath, cache: cache)
        let images = built.map(\.image)
        let sourcesByPlatform = built.map(\.sources)
        let attestations = try await attest(built, started: started, dockerfilePath: dockerfilePath, wantsPush: wantsPush, keepLocally: keepLocally)
        var result = try await progress.start("exporting to image").run {
            platforms.count > 1
                ? try await finishMultiPlatform(images, platforms: platforms, attestations: attestations, wantsPush: wantsPush, keepLocally: keepLocally)
                : try await finishSingle(images[0], platform: built[0].platform, sources: sourcesByPlatform[0], attestation: attestations.first,
                                         wantsPush: wantsPush, keepLocally: keepLocally)
        }
        try await exportCache(cache, images: images)
        result.stats = await registry.stats
        var base: Set<Digest> = []
        for sources in sourcesByPlatform { base.formUnion(await sources.baseLayers()) }
        result.baseLayerBytesDownloaded = result.stats.downloaded.filter { base.contains($0.key) }.values.reduce(0, +)
        return result
    }

    /// The Dockerfile given as text, or read from `path`, parsed.
    private func readDockerfile(_ path: String) throws -> Dockerfile {
        let text: String
        if let given = options.dockerfileText {
            text = given
        } else if let data = FileManager.default.contents(atPath: path) {
            text = String(decoding: data, as: UTF8.self)
        } else {
            throw BuildError.context("cannot read the Dockerfile at \(path) (give another with -f)")
        }
        return try Dockerfile(parsing: text, file: options.dockerfileText != nil ? "Dockerfile (stdin)" : path)
    }

    /// Every platform's image, in the order of `platforms`: all at once, or one after another with
    /// `HOIST_JOBS=1`. The first failure cancels the others and is the one thrown.
    private func buildPlatforms(_ platforms: [Platform], dockerfile: Dockerfile, dockerfilePath: String,
                                cache: BuildCache) async throws -> [PlatformBuild] {
        let multiPlatform = platforms.count > 1
        if limits.jobs == 1 || !multiPlatform {
            var results: [PlatformBuild] = []
            for (n, platform) in platforms.enumerated() {
                results.append(try await buildImage(dockerfile, platform: platform, multiPlatform: multiPlatform, dockerfilePath: dockerfilePath,
                                                    warnUnused: n == 0, cache: cache))
            }
            return results
        }
        return try await withThrowingTaskGroup(of: (Int, PlatformBuild).self) { group in
            for (n, platform) in platforms.enumerated() {
                group.addTask {
                    (n, try await buildImage(dockerfile, platform: platform, multiPlatform: true, dockerfilePath: dockerfilePath,
                                             warnUnused: n == 0, cache: cache))
                }
            }
            var results: [PlatformBuild?] = Array(repeating: nil, count: platforms.count)
            do {
                while let (n, build) = try await group.next() { results[n] = build }
            } catch {
                group.cancelAll()
                throw error
            }
            return results.map { $0! }
        }
    }

    /// Pushes, writes or keeps one platform's image as the options ask. With an attestation inside
    /// (not as a referrer), what is pushed, archived as OCI or kept is an index over the image and
    /// its attestation manifest, as buildx makes it; the docker archive and the root filesystem
    /// outputs take the image alone.
    private func finishSingle(_ image: AssembledImage, platform: Platform, sources: ImageSources, attestation: AssembledImage?, wantsPush: Bool,
                              keepLocally: Bool) async throws -> BuildResult {
        let referrer = options.attestations.asReferrers ? attestation : nil
        let indexed = try attestation.flatMap { referrer == nil ? try indexContent([image], platforms: [platform], attestations: [$0]) : nil }
        let published = indexed ?? image.content
        let publishedDigest = published.root.digest
        var pushed: [Reference] = []
        if wantsPush {
            let pusher = ImagePusher(registry: registry, log: log)
            for tag in pushTargets(publishedDigest) {
                try await pusher.push(published, to: tag)
                pushed.append(tag)
            }
            if let referrer { try await pushReferrers([referrer], to: pushed) }
        }
        for output in options.outputs {
            let scratch = store.root.appendingPathComponent("ingest/rootfs-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            switch output {
            case .registry: continue
            case let .ociArchive(dest): try await OCIArchiveExporter(registry: registry).write(published, tags: options.tags, to: dest)
            case let .dockerArchive(dest): try await DockerArchiveExporter(registry: registry).write(image.content, tags: options.tags, to: dest)
            case let .local(dest): try await RootfsExporter(sources: sources, scratch: scratch).writeDirectory(image.layers, to: dest)
            case let .tar(dest): try await RootfsExporter(sources: sources, scratch: scratch).writeTar(image.layers, to: dest)
            }
            log("wrote \(output)")
        }
        if keepLocally {
            // No output asked for: the image goes into the local image store, complete, as docker keeps a build.
            for layer in published.blobs { try await layer.localize(using: registry) }
            for tag in options.tags { try LocalImages(root: store.root).record(tag.withDefaultTag, manifest: published.descriptor()) }
            log(options.tags.isEmpty ? "kept in the local store as \(publishedDigest) (give -t to name it)"
                                     : "kept in the local store as \(options.tags.map(\.description).joined(separator: ", "))")
        }
        try writeRecords(config: image.manifest.config.digest, manifest: publishedDigest, size: published.root.bytes.count, mediaType: published.root.mediaType)
        return BuildResult(image: image, images: [image], index: indexed.map { ($0.root.digest, $0.root.bytes) }, pushed: pushed, stats: await registry.stats)
    }

    /// Builds the target for one platform: plan ▸ stages ▸ assembled image.
    private func buildImage(_ dockerfile: Dockerfile, platform: Platform, multiPlatform: Bool, dockerfilePath: String, warnUnused: Bool,
                            cache: BuildCache) async throws -> PlatformBuild {
        let graph = try BuildGraph(dockerfile, target: options.target, buildArgs: options.buildArgs,
                                   automaticArgs: Builder.platformArgs(target: platform, build: .host),
                                   namedContexts: Set(options.namedContexts.keys))
        if warnUnused, !graph.unusedBuildArgs.isEmpty {
            warn("one or more build-args [\(graph.unusedBuildArgs.joined(separator: " "))] were not consumed")
        }
        // A RUN executes programs built for the stage's platform: refuse a foreign one before touching a registry.
        if platform.architecture != Platform.host.architecture, !Builder.canEmulate(platform) {
            for i in graph.order {
                if let run = graph.stages[i].firstRun {
                    throw BuildError.instruction(run.location, StageError.needsEmulation(platform))
                }
            }
        }

        let sources = ImageSources(registry: registry, platform: platform, indexCache: indexCache, progress: progress, label: multiPlatform ? platform : nil,
                                   storesBaseBlobs: options.outputsNeedBytes)
        let plan = StagePlan(graph: graph, sources: sources,
                             context: try ContextSource(directory: options.contextDirectory, ignore: dockerIgnore(dockerfilePath)),
                             clock: BuildClock(epoch: options.sourceDateEpoch), cache: cache, platform: multiPlatform ? platform : nil)
        // Base images are resolved (and a RUN stage's missing layers fetched) as soon as the graph
        // is known; HOIST_JOBS=1 keeps the old order, one thing after another.
        async let prefetched: Void = limits.jobs == 1 ? () : prefetch(plan)
        let built = try await runStages(plan)
        await prefetched
        let clock = plan.clock
        var final = built[graph.order.last!]!
        final.config.created = clock.created
        if !options.labels.isEmpty {
            // --label: set on the final image over the Dockerfile's, as buildx does; no history entry.
            final.containerConfig.labels = (final.containerConfig.labels ?? [:]).merging(options.labels) { $1 }
        }
        if options.forceCompression {
            final.layers = try await LayerRecompressor(registry: registry, log: log).convert(final.layers, to: options.compression)
        }
        if options.sourceDateEpoch == nil {
            let (key, time) = FirstBuildTime(directory: options.root.appendingPathComponent("created").path)
                .settle(&final.config, builtAt: clock.created, imported: await cache.importedCreated)
            await cache.noteCreated(key: key, time: time)
        }
        let image = try ImageAssembler.assemble(final, store: store, format: options.format, annotations: options.annotations)
        log("image \(image.manifestDigest)")

        return PlatformBuild(image: image, sources: sources, platform: platform, graph: graph, stages: built)
    }

    /// Where `--push` goes: each -t, or with push-by-digest each -t's repository under `digest`.
    func pushTargets(_ digest: Digest) -> [Reference] {
        options.pushByDigest ? options.tags.map { Reference(domain: $0.domain, path: $0.path, digest: digest) } : options.tags
    }

    /// `--iidfile` (the image ID: its config digest, as docker reports it) and `--metadata-file`.
    /// For several platforms the image ID is the index digest, as buildx writes it.
    func writeRecords(config: Digest?, manifest: Digest, size: Int, mediaType: MediaType) throws {
        if let path = options.iidFile {
            try Data((config ?? manifest).description.utf8).write(to: URL(fileURLWithPath: path))
        }
        if let path = options.metadataFile {
            var metadata: [String: Any] = [
                "containerimage.digest": manifest.description,
                "containerimage.descriptor": ["mediaType": mediaType.rawValue, "digest": manifest.description, "size": size],
            ]
            if let config { metadata["containerimage.config.digest"] = config.description }
            if !options.tags.isEmpty { metadata["image.name"] = options.tags.map(\.description).joined(separator: ",") }
            let data = try JSONSerialization.data(withJSONObject: metadata, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    /// `Dockerfile.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`.
    private func dockerIgnore(_ dockerfilePath: String) -> DockerIgnore {
        var candidates = [options.contextDirectory + "/.dockerignore"]
        if options.dockerfileText == nil { candidates.insert(dockerfilePath + ".dockerignore", at: 0) }
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path) { return DockerIgnore(parsing: String(decoding: data, as: UTF8.self)) }
        }
        return DockerIgnore(parsing: "")
    }

    /// Whether the kernel runs `platform`'s binaries through binfmt_misc (qemu-user-static).
    static func canEmulate(_ platform: Platform) -> Bool {
        let names = ["arm64": "aarch64", "amd64": "x86_64", "arm": "arm", "386": "i386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"]
        let name = names[platform.architecture] ?? platform.architecture
        return FileManager.default.fileExists(atPath: "/proc/sys/fs/binfmt_misc/qemu-\(name)")
    }

    /// The automatic platform ARGs, as BuildKit defines them: TARGETPLATFORM, TARGETOS,
    /// TARGETARCH, TARGETVARIANT and the same four for BUILD.
    public static func platformArgs(target: Platform, build: Platform) -> [String: String] {
        var args: [String: String] = [:]
        for (prefix, p) in [("TARGET", target.normalized), ("BUILD", build.normalized)] {
            args[prefix + "PLATFORM"] = p.description
            args[prefix + "OS"] = p.os
            args[prefix + "ARCH"] = p.architecture
            args[prefix + "VARIANT"] = p.variant ?? ""
        }
        return args
    }
}
