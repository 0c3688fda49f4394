import Foundation
import HoistOCI

/// What one platform's provenance tells, gathered by the build: its request, what it read, and
/// (for `mode=max`) each stage's steps and layers.
struct ProvenanceFacts: Sendable {
    /// One stage as `mode=max` lists it: its base and the history its instructions added, each
    /// with the layer it made (nil for a step that changes only the config).
    struct Stage: Encodable, Sendable {
        struct Step: Encodable, Sendable {
            var createdBy: String
            var layer: Descriptor?
        }

        var name: String
        var platform: String
        var base: String
        var steps: [Step]
    }

    var mode: AttestationOptions.ProvenanceMode
    var builderID: String
    var invocationID: String
    var startedOn: Date
    var finishedOn: Date
    var platform: Platform
    var target: String?
    /// Build args whose names do not look sensitive (`SensitiveName`).
    var buildArgs: [String: String]
    /// The Dockerfile's name as given (`Dockerfile`, `docker/prod.Dockerfile`) and its bytes' digest.
    var dockerfilePath: String
    var dockerfileDigest: Digest
    var context: GitContext?
    var dependencies: [ResolvedDependency]
    /// Directories the build read by name: `context`, `dockerfile`, and `--build-context NAME=DIR`.
    var locals: [String]
    var secretIDs: [String]
    var sshIDs: [String]
    var stages: [Stage]
    /// Whether any stage ran a command, which may have read what nobody recorded.
    var ranCommands: Bool
}
