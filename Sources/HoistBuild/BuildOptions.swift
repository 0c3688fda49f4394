import Foundation
import HoistLayers
import HoistOCI

/// Everything `hoist assemble` was asked to do.
public struct BuildOptions: Sendable {
    public var contextDirectory: String
    /// Path of the Dockerfile; default `CONTEXT/Dockerfile`.
    public var dockerfile: String?
    /// The Dockerfile's text when it does not come from a file (`-f -`).
    public var dockerfileText: String?
    public var tags: [Reference] = []
    public var target: String?
    public var buildArgs: [String: String] = [:]
    public var platform: Platform = .host
    /// `--platform a,b`: build each and tie them with an index; empty means just `platform`.
    public var platforms: [Platform] = []
    public var push = false
    public var outputs: [OutputSpec] = []
    public var registriesConf: String?
    /// `--insecure-registry HOST`: plain HTTP and unverified TLS allowed for these.
    public var insecureRegistries: Set<String> = []
    /// `--build-context NAME=VALUE`.
    public var namedContexts: [String: NamedContext] = [:]
    /// Fixes `created` and history times and clamps file mtimes; from `SOURCE_DATE_EPOCH` unless given.
    public var sourceDateEpoch: Int?
    /// `--iidfile`: where to write the image ID (the config digest).
    public var iidFile: String?
    /// `--metadata-file`: buildx's JSON keys about the result.
    public var metadataFile: String?
    public var compression: LayerCompression = .gzip
    /// `--secret id=…`: what `RUN --mount=type=secret` may read; never written to a layer or the history.
    public var secrets: [String: SecretSource] = [:]
    /// `--ssh default[=SOCKET]`: the agent socket `RUN --mount=type=ssh` forwards.
    public var sshAgent: String?
    /// `--allow security.insecure`.
    public var allowInsecure = false
    /// `--no-cache`: run every RUN again instead of reusing the layer an identical RUN made before.
    public var noCache = false
    /// `push-by-digest=true`: push the image under its digest only, not under the tags' tags
    /// (each -t names the repository), as buildx does for images stitched later by digest.
    public var pushByDigest = false
    /// `--cache-from`: caches searched in order after this machine's results.
    public var cacheFrom: [CacheSpec] = []
    /// `--cache-to`: where this build's step results are exported.
    public var cacheTo: [CacheSpec] = []
    /// `force-compression=true`: base layers in another compression are recompressed too.
    public var forceCompression = false
    /// `--format docker`: Docker schema 2 media types instead of OCI.
    public var format: ImageFormat = .oci
    /// `--label`: set on the final image's config.
    public var labels: [String: String] = [:]
    /// `--annotation`: on the manifest (default, `manifest:`) or the index (`index:`).
    public var annotations: [String: String] = [:]
    public var indexAnnotations: [String: String] = [:]
    /// Stages of a platform built at once (`HOIST_JOBS`); nil: as many as the graph allows. 1 builds
    /// stages and platforms one after another (BuildLimits).
    public var jobs: Int?
    /// `--network`, `--add-host`, `--ulimit`, `--shm-size`: what every RUN gets.
    public var runDefaults = RunDefaults()
    /// `--provenance`, `--sbom`, `--attest`: none unless asked (the CLI adds buildx's default).
    public var attestations = AttestationOptions()
    public var root: URL

    /// `--push` or `-o type=registry`: the image goes to each -t.
    public var wantsPush: Bool { push || outputs.contains(.registry) }

    /// Whether an output needs every layer's bytes here: anything but a push alone (an archive,
    /// a root filesystem, or the local store when no output is given).
    public var outputsNeedBytes: Bool { !(wantsPush && outputs.allSatisfy { $0 == .registry }) }

    public init(contextDirectory: String, root: URL) {
        self.contextDirectory = contextDirectory
        self.root = root
    }
}

/// `--output type=…,dest=…`, as buildx spells it.
public enum OutputSpec: Sendable, Equatable, CustomStringConvertible {
    case registry
    case ociArchive(dest: String)
    /// `type=docker,dest=FILE.tar`: what `docker load` reads (manifest.json with RepoTags).
    case dockerArchive(dest: String)
    /// `type=local,dest=DIR`: the merged root filesystem, written out.
    case local(dest: String)
    /// `type=tar,dest=FILE`: the merged root filesystem as one tar.
    case tar(dest: String)

    public var description: String {
        switch self {
        case .registry: "registry"
        case let .ociArchive(dest): "OCI archive \(dest)"
        case let .dockerArchive(dest): "docker archive \(dest)"
        case let .local(dest): "root filesystem into \(dest)"
        case let .tar(dest): "root filesystem tar \(dest)"
        }
    }

    public init(parsing text: String) throws {
        if let bad = text.split(separator: ",").first(where: { !$0.dropFirst().contains("=") }) {
            throw BuildError.badOutput(text, "\"\(bad)\" is not key=value")
        }
        let fields = BuildxAttributes.fields(text)
        switch fields["type"] {
        case "registry"?: self = .registry
        case "image"?:
            // buildx's image output: pushed with push=true; without a daemon there is nowhere else for it to go.
            guard fields["push"].flatMap(BuildxAttributes.bool) == true else {
                throw BuildError.badOutput(text, "type=image needs push=true (Hoist has no daemon to load it into; without -o the image is kept in Hoist's local store)")
            }
            self = .registry
        case let kind? where ["oci", "docker", "local", "tar"].contains(kind):
            guard let dest = fields["dest"], !dest.isEmpty else {
                throw BuildError.badOutput(text, "type=\(kind) needs dest=\(kind == "local" ? "DIR" : "FILE.tar")")
            }
            switch kind {
            case "oci": self = .ociArchive(dest: dest)
            case "docker": self = .dockerArchive(dest: dest)
            case "local": self = .local(dest: dest)
            default: self = .tar(dest: dest)
            }
        case let other?:
            throw BuildError.badOutput(text, "type=\(other) is not supported (supported: registry, image, oci, docker, local, tar)")
        case nil:
            throw BuildError.badOutput(text, "missing type= (e.g. type=oci,dest=app.tar)")
        }
    }
}
