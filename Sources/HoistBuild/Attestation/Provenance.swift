import Foundation
import HoistOCI

/// SLSA provenance v1 (slsa.dev/spec/v1.0/provenance) for one platform's image, laid out as
/// BuildKit 0.25 lays out its v1 provenance (its buildType, `externalParameters.request` with
/// `build-arg:NAME` args and `locals`), so tools that read BuildKit's read Hoist's. Additions:
/// the Dockerfile's digest in `configSource`, the context's git remote and commit as a resolved
/// dependency, and with `mode=max` each stage's steps and layers under `internalParameters.buildConfig`.
struct Provenance: Encodable {
    static let predicateType = "https://slsa.dev/provenance/v1"
    static let buildType = "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md"

    struct BuildDefinition: Encodable {
        var buildType: String
        var externalParameters: ExternalParameters
        var internalParameters: InternalParameters
        var resolvedDependencies: [ResolvedDependency]
    }

    struct ExternalParameters: Encodable {
        /// Where the Dockerfile came from: its path, its digest, and the git remote@commit of a clean checkout.
        struct ConfigSource: Encodable {
            var uri: String?
            var digest: [String: String]
            var path: String
        }

        var configSource: ConfigSource
        var request: Request
    }

    struct Request: Encodable {
        struct Named: Encodable {
            var id: String?
            var name: String?
        }

        var frontend = "dockerfile.v0"
        var args: [String: String]
        var locals: [Named]
        var secrets: [Named]?
        var ssh: [Named]?
    }

    struct InternalParameters: Encodable {
        struct BuildConfig: Encodable {
            var stages: [ProvenanceFacts.Stage]
        }

        var builderPlatform: String
        var buildConfig: BuildConfig?
    }

    struct RunDetails: Encodable {
        struct Builder: Encodable {
            var id: String
        }

        struct Metadata: Encodable {
            var invocationId: String
            var startedOn: String
            var finishedOn: String
            /// BuildKit's: whether the request and the dependencies are listed in full (not when a
            /// RUN ran: what a command fetched is not known).
            var buildkit_completeness: [String: Bool]
        }

        var builder: Builder
        var metadata: Metadata
    }

    var buildDefinition: BuildDefinition
    var runDetails: RunDetails

    init(_ facts: ProvenanceFacts) {
        var args: [String: String] = [:]
        for (name, value) in facts.buildArgs { args["build-arg:\(name)"] = value }
        if let target = facts.target { args["target"] = target }
        args["platform"] = facts.platform.normalized.description
        var dependencies = facts.dependencies
        if let git = facts.context {
            dependencies.insert(ResolvedDependency(uri: git.remote, digest: ["gitCommit": git.commit], name: "context"), at: 0)
        }
        buildDefinition = BuildDefinition(
            buildType: Provenance.buildType,
            externalParameters: ExternalParameters(
                configSource: .init(uri: facts.context.map { "\($0.remote)@\($0.commit)" },
                                    digest: [facts.dockerfileDigest.algorithm: facts.dockerfileDigest.encoded],
                                    path: facts.dockerfilePath),
                request: Request(args: args, locals: facts.locals.map { Request.Named(name: $0) },
                                 secrets: facts.secretIDs.isEmpty ? nil : facts.secretIDs.map { Request.Named(id: $0) },
                                 ssh: facts.sshIDs.isEmpty ? nil : facts.sshIDs.map { Request.Named(id: $0) })),
            internalParameters: InternalParameters(builderPlatform: Platform.host.normalized.description,
                                                   buildConfig: facts.mode == .max ? .init(stages: facts.stages) : nil),
            resolvedDependencies: dependencies)
        runDetails = RunDetails(
            builder: .init(id: facts.builderID),
            metadata: .init(invocationId: facts.invocationID, startedOn: BuildClock.timestamp(facts.startedOn),
                            finishedOn: BuildClock.timestamp(facts.finishedOn),
                            buildkit_completeness: ["request": true, "resolvedDependencies": !facts.ranCommands]))
    }
}
