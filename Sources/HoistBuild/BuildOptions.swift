import Foundation
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
    public var push = false
    public var outputs: [OutputSpec] = []
    public var registriesConf: String?
    /// `--insecure-registry HOST`: plain HTTP and unverified TLS allowed for these.
    public var insecureRegistries: Set<String> = []
    /// `--build-context NAME=VALUE`.
    public var namedContexts: [String: NamedContext] = [:]
    /// Fixes `created` and history times; from `SOURCE_DATE_EPOCH` unless given.
    public var sourceDateEpoch: Int?
    public var root: URL

    public init(contextDirectory: String, root: URL) {
        self.contextDirectory = contextDirectory
        self.root = root
    }
}

/// `--output type=…,dest=…`, as buildx spells it.
public enum OutputSpec: Sendable, Equatable {
    case registry
    case ociArchive(dest: String)

    public init(parsing text: String) throws {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw BuildError.badOutput(text, "\"\(part)\" is not key=value") }
            fields[kv[0]] = kv[1]
        }
        switch fields["type"] {
        case "registry"?: self = .registry
        case "oci"?:
            guard let dest = fields["dest"], !dest.isEmpty else { throw BuildError.badOutput(text, "type=oci needs dest=FILE.tar") }
            self = .ociArchive(dest: dest)
        case let other?:
            throw BuildError.badOutput(text, "type=\(other) is not supported yet (supported: registry, oci)")
        case nil:
            throw BuildError.badOutput(text, "missing type= (e.g. type=oci,dest=app.tar)")
        }
    }
}
