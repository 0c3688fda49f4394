import HoistDockerfile
import HoistOCI

/// What `FROM x`, `COPY --from=x` and `RUN --mount=…,from=x` read, decided in one place: the build
/// graph says which kind of thing `x` names (`BuildGraph.source`: a stage, a `--build-context`, an
/// image, scratch), and this turns it into a stage state (config and layers) or a directory. A bare
/// word that is neither an earlier stage nor an image gets one did-you-mean message, whichever
/// instruction used it.
struct SourceResolver {
    let graph: BuildGraph
    let sources: ImageSources
    let namedContexts: [String: NamedContext]

    enum Resolved {
        /// A stage's, an image's or an OCI layout's config and layers; `name` is how messages call it.
        case state(StageState, name: String)
        /// A `--build-context NAME=DIR`, which only COPY --from and bind mounts can read.
        case directory(String)
    }

    /// How the reference is used: as a stage's base (`FROM`, for `platform` when given: scratch is an
    /// empty image and a number is an image name), or as content to copy or mount from.
    enum Use {
        case base(platform: Platform?)
        case content
    }

    /// Throws `SourceError` for what cannot be read that way, or the registry's or layout's error.
    func resolve(_ reference: String, in stage: Stage, built: [Int: StageState], use: Use, location: SourceLocation) async throws -> Resolved {
        let platform: Platform? = if case let .base(p) = use { p } else { nil }
        let isBase: Bool = if case .base = use { true } else { false }
        switch try BuildGraph.source(reference, from: stage.index, in: graph.stages, location: location, contexts: graph.namedContexts, byIndex: !isBase) {
        case .scratch:
            guard isBase else { throw SourceError.scratchIsEmpty }
            // BuildKit's emptyImage: WorkingDir "/" (the default PATH is added to every stage that lacks one).
            var config = ImageConfig(platform: platform ?? sources.platform)
            var container = ContainerConfig()
            container.workingDir = "/"
            config.config = container
            return .state(StageState(config: config, layers: []), name: "scratch")
        case let .stage(i):
            guard let state = built[i] else { throw SourceError.notBuilt(graph.stages[i].displayName) }
            return .state(state, name: "stage \(graph.stages[i].displayName)")
        case let .named(name):
            switch namedContexts[name] ?? namedContexts[name.lowercased()] {
            case let .image(image)?:
                return .state(try ImageSources.state(of: try await sources.image(image, platform: platform)), name: "\(name) (\(image))")
            case let .ociLayout(path, tag)?:
                return .state(try OCILayoutImage.state(path: path, reference: tag, platform: platform ?? sources.platform, name: name), name: name)
            case let .directory(path)?:
                guard !isBase else { throw SourceError.directoryAsBase(name) }
                return .directory(path)
            case nil:
                throw SourceError.unknownContext(name)
            }
        case let .image(image):
            do {
                return .state(try ImageSources.state(of: try await sources.image(image, platform: platform)), name: image)
            } catch {
                throw SourceError.notFound(reference: image, shownAs: isBase ? "FROM \(image)" : "--from=\(image)",
                                           stages: graph.stages.prefix(stage.index).compactMap(\.name), imageError: error)
            }
        }
    }

    /// The layers `reference` names as content (`--from`), and how messages call them.
    func layers(_ reference: String, in stage: Stage, built: [Int: StageState], location: SourceLocation) async throws -> ([LayerRef], String) {
        switch try await resolve(reference, in: stage, built: built, use: .content, location: location) {
        case let .state(state, name): return (state.layers, name)
        case .directory: throw SourceError.notAnImage(reference)
        }
    }
}

enum SourceError: Error, CustomStringConvertible {
    case scratchIsEmpty
    case notBuilt(String)
    case directoryAsBase(String)
    case notAnImage(String)
    case unknownContext(String)
    case notFound(reference: String, shownAs: String, stages: [String], imageError: Error)

    var description: String {
        switch self {
        case .scratchIsEmpty: "--from=scratch: scratch is empty"
        case let .notBuilt(stage): "stage \(stage) was not built"
        case let .directoryAsBase(name):
            "FROM \(name): the build context \(name) is a local directory, which can only be read by COPY --from and RUN --mount; give an image with docker-image:// or oci-layout://"
        case let .notAnImage(name): "build context \(name) is a directory here, not an image"
        case let .unknownContext(name): "no --build-context is named \(name)"
        case let .notFound(reference, shownAs, stages, imageError):
            Self.notFound(reference, shownAs: shownAs, stages: stages, imageError: imageError)
        }
    }

    /// A bare word in --from is most likely a stage name with a typo, and in FROM when a stage has a
    /// close name: say so before the registry's answer. `FROM ubuntu` keeps just the registry's.
    private static func notFound(_ reference: String, shownAs: String, stages: [String], imageError: Error) -> String {
        let close = stages.first { BuildGraph.editDistance($0, reference.lowercased()) <= 2 }
        if reference.contains(where: { "/:.@".contains($0) }) || (shownAs.hasPrefix("FROM") && close == nil) {
            return "\(shownAs): \(imageError)"
        }
        return "\(shownAs): no earlier stage is named \"\(reference)\"" + (close.map { " (did you mean \"\($0)\"?)" } ?? "")
            + " (stages: \(stages.isEmpty ? "none named" : stages.joined(separator: ", "))), and as an image: \(imageError)"
    }
}
