import Foundation
import HoistDockerfile
import HoistLayers

/// COPY and ADD (and WORKDIR's directory): layers written from the context, another stage, an image,
/// a named context, URLs and git repositories, without a root filesystem. Words arrive expanded.
extension StageExecutor {
    /// COPY, and ADD (`add`): local tar archives unpacked, URLs downloaded, git repositories cloned.
    /// `spec`'s words arrive expanded. Returns the layer and its history text.
    func runCopy(_ spec: CopySpec, keyword: String, from: String? = nil, parents: Bool = false, step: Step, state: StageState, stage: Stage,
                 environment env: [String: String], location: SourceLocation, add: AddInstruction? = nil) async throws -> (LayerRef, String) {
        let shownSources = spec.sources.map { word in Heredoc.name(ofMarker: word).map { "<<" + $0 } ?? word }
        let text = HistoryText.copy(keyword, chown: spec.chown, chmod: spec.chmod, sources: shownSources, destination: spec.destination)
        // A source that cannot be read gives no key; the copy below then fails with its own message.
        // A copy out of a stage or an image is keyed by its layers' digests alone, far cheaper than
        // copying again: it is kept on this machine always; context files only with a cache.
        let key = cache.copiesCached || from != nil ? try? await copyKey(spec, keyword: keyword, from: from, parents: parents, add: add, state: state,
                                                          stage: stage, environment: env, location: location) : nil
        if let key, let cached = await cachedLayer(key, step: step, what: keyword) { return (cached, text) }
        // `COPY <<EOF /dest`: a source word naming one of the instruction's heredocs is inline content.
        let inline = spec.sources.compactMap { word in Heredoc.name(ofMarker: word).flatMap { name in spec.heredocs.first { $0.name == name } } }
        let rawSources = spec.sources.filter { word in !inline.contains { $0.name == Heredoc.name(ofMarker: word) } }
        let rawDestination = spec.destination
        let remoteSources: [String: RemoteSource] = add == nil ? [:] : try rawSources.reduce(into: [:]) { found, word in found[word] = try RemoteSource(word) }
        if add?.checksum != nil, remoteSources.isEmpty { throw StageError.checksumWithoutURL }
        var destination = CopyDestination(rawDestination, workingDirectory: state.workingDirectory)
        try CopyDestination.requireDirectory(rawDestination, isDirectory: destination.isDirectory, sources: rawSources.count + inline.count)
        let stageView = sources.view(over: state.layers, unpackInto: step.runFollows ? snapshotter : nil)
        if spec.link {
            destination.resolveLinked()
        } else {
            do { try await destination.resolve(in: stageView) } catch { throw StageError.destination(keyword: keyword, destination: rawDestination, error) }
        }
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var matches: [CopyMatch] = []
        // COPY of one directory, from the context or from one layer of an image or stage: written as
        // it is read (`StreamedCopy`); `rematch` matches it the general way if it cannot be streamed.
        var streamed: (stream: StreamedCopy, rematch: () async throws -> [CopyMatch])?
        let streams = add == nil && inline.isEmpty && rawSources.count == 1
        for (n, heredoc) in inline.enumerated() {
            let path = scratch + "/heredoc-\(n)"
            let body: String
            do { body = try heredoc.body(environment: env) } catch { throw StageError.heredoc(name: heredoc.name, error) }
            guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)) else { throw StageError.heredoc(name: heredoc.name, nil) }
            matches.append(CopyMatch(name: heredoc.name, isDirectory: false, items: [
                CopyItem(relative: "", kind: .file(body: path, size: Int64(body.utf8.count)), mode: 0o644, uid: 0, gid: 0, mtime: clock.createdDirectoryTime),
            ]))
        }
        do {
            if let from {
                switch try await resolver.resolve(from, in: stage, built: built, use: .content, location: location) {
                case let .directory(path):
                    let directory = try ContextSource(directory: path)
                    for s in rawSources { matches += try directory.match(s) }
                case let .state(fromState, name):
                    // Bodies are read from these layers: one read for its index stores it, so the
                    // layer holding the file is not downloaded a second time for its body.
                    let view = sources.view(over: fromState.layers, storeBlobs: true)
                    let source = ViewSource(view: view, staging: scratch, displayName: name)
                    if streams, let (match, stream) = try await source.streamed(rawSources[0]) {
                        matches.append(match)
                        streamed = (stream, { try await source.match(rawSources[0]) })
                    } else {
                        for s in rawSources { matches += try await source.match(s) }
                    }
                    log("  COPY --from=\(from): read \(await view.layersRead) of \(view.layers.count) layers")
                }
            } else if streams, let (match, stream) = try context.streamed(rawSources[0]) {
                matches.append(match)
                let context = context
                streamed = (stream, { try context.match(rawSources[0]) })
            } else {
                for s in rawSources {
                    if let add, let remote = remoteSources[s] {
                        let match = try await remote.fetch(into: scratch, checksum: add.checksum,
                                                           keepGitDir: add.keepGitDir, fallbackTime: clock.createdDirectoryTime)
                        if let origin = match.origin { await sources.record(origin) }
                        matches.append(match)
                        continue
                    }
                    // A wildcard that matches nothing copies nothing, as in BuildKit; a missing plain path fails in match.
                    matches += try context.match(s)
                }
            }
        } catch let error as RemoteSourceError { throw error } catch let error as SourceError { throw error } catch let error as DockerfileError {
            throw error
        } catch {
            throw StageError.copy(keyword: keyword, error)
        }
        try CopyDestination.requireDirectory(rawDestination, isDirectory: destination.isDirectory, sources: matches.count)
        if let add {
            // ADD unpacks local archives by default and downloads only with --unpack=true.
            var unpacked: [CopyMatch] = []
            for match in matches {
                guard add.unpack ?? !match.isRemote, !match.isDirectory, case let .file(body, _, 0)? = match.items.first?.kind,
                      let items = try ArchiveExpander.items(of: body, staging: scratch, directoryTime: clock.createdDirectoryTime) else {
                    unpacked.append(match)
                    continue
                }
                // A parent the archive only implies keeps the stage's own owner and mode where the stage has it.
                var kept: [CopyItem] = []
                for item in items {
                    if item.onlyIfMissing, !spec.link, try await stageView.entry(at: destination.path + "/" + item.relative)?.header.isDirectory == true { continue }
                    kept.append(item)
                }
                unpacked.append(CopyMatch(name: match.name, sourcePath: match.sourcePath, isDirectory: true, items: kept))
            }
            matches = unpacked
        }
        var owner: (uid: Int, gid: Int)?
        var mode: ModeChange?
        if let chown = spec.chown { owner = try await Ownership.resolve(chown, in: stageView, scratch: scratch) }
        if let chmod = spec.chmod { mode = try Ownership.mode(chmod) }
        // --exclude: patterns (as in .dockerignore) against each path below its source; a file source by its name.
        let excluded = spec.excludes.isEmpty ? nil : DockerIgnore(parsing: spec.excludes.joined(separator: "\n"))
        func excluding(_ matches: [CopyMatch]) -> [CopyMatch] {
            guard let excluded else { return matches }
            return matches.compactMap { match in
                if !match.isDirectory { return excluded.excludes(match.name) ? nil : match }
                var kept = match
                kept.items = match.items.filter { !excluded.excludes($0.relative) }
                return kept
            }
        }
        matches = excluding(matches)
        func entries(for matches: [CopyMatch]) -> [LayerEntry] {
            // Nothing matched (only wildcards, each matching nothing): BuildKit's copy returns before it makes the destination.
            matches.isEmpty ? []
                : destination.entries(for: matches, owner: owner, mode: mode, createdTime: clock.createdDirectoryTime, parents: parents).map(clock.clamped)
        }
        let started = ContinuousClock.now
        /// The streamed layer, or nil with `matches` made the general way when the source cannot be streamed.
        func streamedLayer() async throws -> StreamedCopy.Written? {
            guard let (stream, rematch) = streamed, let match = matches.first else { return nil }
            // `matches` holds the directory without its items: its entries are the directories the COPY makes.
            let created = entries(for: matches)
            let place: @Sendable (CopyItem) -> LayerEntry? = { [destination, owner, mode, clock] item in
                if let excluded, excluded.excludes(item.relative) { return nil }
                return clock.clamped(destination.entry(for: item, at: destination.path(of: item.relative, in: match, parents: parents), owner: owner, mode: mode))
            }
            let store = store, compression = compression
            let source = from.map { "--from=\($0) /\(match.sourcePath)" } ?? match.sourcePath
            let written: StreamedCopy.Written?
            do {
                written = try await limits.writingLayer { try stream.write(created: created, place: place, into: store, compression: compression) }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // Reading the source and writing the layer are one pass: either failing is the COPY's.
                throw StageError.copy(keyword: keyword, error)
            }
            if let written {
                log("  \(keyword) \(source): streamed as it was read")
                return written
            }
            log("  \(keyword) \(source) cannot be streamed (not in layer order, or a hard link in a layer); copied the general way")
            do { matches = excluding(try await rematch()) } catch { throw StageError.copy(keyword: keyword, error) }
            return nil
        }
        let layer: BuiltLayer, count: Int, fileBytes: Int64
        if let streamed = try await streamedLayer() {
            (layer, count, fileBytes) = (streamed.layer, streamed.entries, streamed.fileBytes)
        } else {
            let entries = entries(for: matches)
            (layer, count) = (try await writeLayer(entries), entries.count)
            fileBytes = entries.reduce(Int64(0)) { sum, entry in if case let .file(_, size, _) = entry.kind { sum + size } else { sum } }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        log("  line \(location.line): layer \(layer.descriptor.digest.encoded.prefix(12)) (\(layer.descriptor.size) bytes, \(count) entries; "
            + "\(fileBytes) bytes of files in \(String(format: "%.3f", seconds)) s)")
        let made = LayerRef(descriptor: layer.descriptor, diffID: layer.diffID, source: .store)
        if let key { await cache.record(key, step: step.id, layer: made) }
        return (made, text)
    }

    /// WORKDIR's layer: the directories of `directory` the stage lacks, owned by the stage's USER as
    /// BuildKit makes them; empty when the directory exists (BuildKit still records a layer).
    func makeWorkingDirectory(_ directory: String, step: Step, state: StageState) async throws -> LayerRef {
        // Keyed by what is below and the directory, and kept always: making it again means
        // reading the base's index (22,000 entries for Debian with Go).
        var key = baseKey("workdir", state: state)
        key.add("the directory", directory)
        key.add("user", state.containerConfig.user ?? "")
        if let cached = await cachedLayer(key, step: step, what: "WORKDIR") { return cached }
        let view = sources.view(over: state.layers, unpackInto: step.runFollows ? snapshotter : nil)
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var entries: [LayerEntry] = []
        do {
            let target = try await view.writeTarget(directory)
            if let existing = target.existing, !existing.isDirectory {
                throw FilesystemViewError.notADirectory(target.path)
            }
            let missing = target.missingParents + (target.existing == nil ? [target.path] : [])
            if !missing.isEmpty {
                var owner = (uid: 0, gid: 0)
                if let user = state.containerConfig.user, !user.isEmpty {
                    owner = try await Ownership.resolve(user, in: view, scratch: scratch)
                }
                entries = missing.map { LayerEntry(path: $0, kind: .directory, mode: 0o755, uid: owner.uid, gid: owner.gid, mtime: clock.createdDirectoryTime) }
            }
        } catch {
            throw StageError.workdir(directory: directory, error)
        }
        let layer = try await writeLayer(entries)
        let made = LayerRef(descriptor: layer.descriptor, diffID: layer.diffID, source: .store)
        await cache.record(key, step: step.id, layer: made)
        return made
    }
}
