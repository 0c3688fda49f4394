import Foundation
import HoistDockerfile
import HoistLayers
import HoistOCI

/// One platform's build: its image, what it read, and the state of each stage it built.
struct PlatformBuild: Sendable {
    var image: AssembledImage
    var sources: ImageSources
    var platform: Platform
    var graph: BuildGraph
    var stages: [Int: StageState]
}

extension Builder {
    /// The attestation manifest of each platform's image, in the same order, when `--provenance`,
    /// `--sbom` or `--attest` ask for any and an output can carry them (a push, an OCI archive,
    /// the local store); [] otherwise. `started` is when the build began (provenance's startedOn).
    func attest(_ builds: [PlatformBuild], started: Date, dockerfilePath: String, wantsPush: Bool, keepLocally: Bool) async throws -> [AssembledImage] {
        let wanted = options.attestations
        guard !wanted.isEmpty else { return [] }
        // Said only when a flag asked for them: buildx's default stays quiet where it cannot go.
        let note: @Sendable (String) -> Void = { [log] text in if wanted.asked { log(text) } }
        if options.format == .docker {
            // A manifest list of Docker's schema 2 has no place for in-toto layers and annotations.
            note("attestations are left out: they need OCI media types, and --format docker was asked for")
            return []
        }
        for output in options.outputs {
            switch output {
            case .dockerArchive: note("attestations are left out of type=docker (\(output)): docker's image store has no place for them, as with buildx")
            case .local, .tar: note("attestations are left out of \(output): it holds files, not an image")
            case .registry, .ociArchive: break
            }
        }
        let archived = options.outputs.contains { if case .ociArchive = $0 { true } else { false } }
        if wanted.asReferrers, archived || keepLocally {
            note("referrers=true: attestations go to the registry only; the OCI archive or the local store keeps the image without them")
        }
        let carried = wantsPush || (!wanted.asReferrers && (keepLocally || archived))
        guard carried else { return [] }
        return try await progress.start("exporting attestations").run {
            if let generator = wanted.sbomGenerator {
                log("SBOM: generator=\(generator) is not run: Hoist reads the image's package databases itself")
            }
            let finished = Date()
            let epoch = options.sourceDateEpoch.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            let dockerfileBytes = options.dockerfileText.map { Array($0.utf8) }
                ?? FileManager.default.contents(atPath: dockerfilePath).map { Array($0) } ?? []
            let directory = options.contextDirectory
            let git = try await Blocking.run { GitContext.read(directory) }
            // Reproducible builds stay reproducible: with SOURCE_DATE_EPOCH the times are the epoch
            // and the invocation ID comes from the images, not from the clock.
            let invocation = epoch == nil ? UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                : String(Digest.sha256(of: Array(builds.map(\.image.manifestDigest.description).joined(separator: ",").utf8)).encoded.prefix(32))
            var manifests: [AssembledImage] = []
            for build in builds {
                let subject = options.tags.first.map { PackageURL.docker($0.withDefaultTag, platform: build.platform) } ?? "_"
                var statements: [AttestationManifest.Statement] = []
                if let mode = wanted.provenance {
                    let facts = ProvenanceFacts(
                        mode: mode, builderID: wanted.builderID ?? Self.defaultBuilderID(), invocationID: invocation,
                        startedOn: epoch ?? started, finishedOn: epoch ?? finished, platform: build.platform, target: options.target,
                        // Proxy args carry credentials (Docker keeps them out of history too).
                        buildArgs: options.buildArgs.filter { !SensitiveName.matches($0.key) && !BuildGraph.predefinedArgs.contains($0.key) },
                        dockerfilePath: displayPath(dockerfilePath), dockerfileDigest: Digest.sha256(of: dockerfileBytes), context: git,
                        dependencies: await build.sources.dependencies(),
                        locals: ["context", "dockerfile"] + options.namedContexts.compactMap { name, context in
                            if case .directory = context { name } else { nil }
                        }.sorted(),
                        secretIDs: options.secrets.keys.sorted(), sshIDs: options.sshAgent == nil ? [] : ["default"],
                        stages: mode == .max ? stageRecords(build) : [],
                        ranCommands: build.graph.stages.contains { $0.firstRun != nil })
                    let statement = InTotoStatement(subject: subject, digest: build.image.manifestDigest,
                                                    predicateType: Provenance.predicateType, predicate: Provenance(facts))
                    statements.append(.init(predicateType: Provenance.predicateType, bytes: try statement.bytes(), isUnique: epoch == nil))
                }
                if wanted.sbom {
                    for (name, layers) in sbomTargets(build) {
                        let packages = try await scanPackages(layers, sources: build.sources)
                        let document = SPDXDocument(name: name.map { "\(subject) stage \($0)" } ?? subject, image: build.image.manifestDigest,
                                                    packages: packages, created: epoch ?? finished)
                        let statement = InTotoStatement(subject: subject, digest: build.image.manifestDigest,
                                                        predicateType: SPDXDocument.predicateType, predicate: document)
                        statements.append(.init(predicateType: SPDXDocument.predicateType, bytes: try statement.bytes()))
                    }
                }
                manifests.append(try AttestationManifest.make(statements, for: build.image, asReferrer: wanted.asReferrers, store: store))
            }
            return manifests
        }
    }

    /// What the SBOM covers: the final image (name nil), then each stage that
    /// `--build-arg BUILDKIT_SBOM_SCAN_STAGE=true` (every other stage) or `=NAME,…` asks for, as BuildKit reads it.
    private func sbomTargets(_ build: PlatformBuild) -> [(stage: String?, layers: [LayerRef])] {
        var targets: [(stage: String?, layers: [LayerRef])] = [(nil, build.image.layers)]
        guard let asked = options.buildArgs["BUILDKIT_SBOM_SCAN_STAGE"], asked.lowercased() != "false", !asked.isEmpty else { return targets }
        let names = Set(asked.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        for i in build.graph.order.dropLast() {
            let stage = build.graph.stages[i]
            guard let state = build.stages[i], names.contains("true") || stage.name.map({ names.contains($0.lowercased()) }) == true else { continue }
            targets.append((stage.name ?? "stage-\(i)", state.layers))
        }
        return targets
    }

    /// The packages in `layers`, read by `SBOMScanner` (per-layer results kept under `$HOIST_ROOT/sbom`).
    private func scanPackages(_ layers: [LayerRef], sources: ImageSources) async throws -> [SBOMPackage] {
        let scratch = store.root.appendingPathComponent("ingest/sbom-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        return try await SBOMScanner(view: sources.view(over: layers, storeBlobs: true), layers: layers,
                                     cacheDirectory: store.root.appendingPathComponent("sbom").path, scratch: scratch).packages()
    }

    /// The Dockerfile as provenance names it: relative to the context when inside it, else its
    /// file name, so no path of this machine goes into an attestation.
    private func displayPath(_ path: String) -> String {
        if options.dockerfileText != nil { return "Dockerfile" }
        let context = URL(fileURLWithPath: options.contextDirectory).standardizedFileURL.path + "/"
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        return full.hasPrefix(context) ? String(full.dropFirst(context.count)) : (full as NSString).lastPathComponent
    }

    /// buildx's default builder ID on GitHub Actions (the run's URL); Hoist's own name elsewhere.
    static func defaultBuilderID(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"], let run = environment["GITHUB_RUN_ID"] {
            return "\(server)/\(repository)/actions/runs/\(run)"
        }
        return "urn:hoist:builder"
    }

    /// Each stage the platform built, in build order, with the history its instructions added and
    /// the layer each made. A RUN's history names the build args it saw (`|1 API_TOKEN=…`): the
    /// values of sensitive ones (`SensitiveName`) are redacted there.
    private func stageRecords(_ build: PlatformBuild) -> [ProvenanceFacts.Stage] {
        let sensitive = options.buildArgs.filter { SensitiveName.matches($0.key) && !$0.value.isEmpty }
        func redacted(_ text: String) -> String {
            var text = text
            for (name, value) in sensitive {
                text = text.replacingOccurrences(of: "\(name)=\(value)", with: "\(name)=<redacted>")
                if value.count >= 6 { text = text.replacingOccurrences(of: value, with: "<redacted>") }
            }
            return text
        }
        return build.graph.order.compactMap { i -> ProvenanceFacts.Stage? in
            guard let state = build.stages[i] else { return nil }
            let stage = build.graph.stages[i]
            var layer = state.inheritedLayers
            let steps = (state.config.history ?? []).dropFirst(state.inheritedHistory).map { entry -> ProvenanceFacts.Stage.Step in
                let createdBy = Redaction.withoutCredentials(redacted(entry.createdBy ?? ""))
                guard entry.emptyLayer != true, layer < state.layers.count else { return .init(createdBy: createdBy, layer: nil) }
                defer { layer += 1 }
                return .init(createdBy: createdBy, layer: state.layers[layer].descriptor)
            }
            return .init(name: stage.name ?? "stage-\(i)", platform: build.platform.normalized.description, base: stage.base, steps: steps)
        }
    }
}
