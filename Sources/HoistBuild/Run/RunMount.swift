import Foundation
import HoistDockerfile

/// A `RUN --mount` resolved against the build: where its content comes from, before the sandbox
/// exists. RunStep turns each into a mount inside the stage's root.
enum RunMount: Sendable {
    /// `type=cache`: a directory under `$HOIST_ROOT/cache` that outlives builds.
    case cache(id: String, sharing: MountSpec.Sharing, mode: UInt32, uid: Int, gid: Int)
    /// `type=bind` from the context or a directory named context: a host directory or file.
    case hostPath(String, readOnly: Bool)
    /// `type=bind,from=STAGE|IMAGE`: `source` inside those layers.
    case layers([LayerRef], source: String, readOnly: Bool)
    case tmpfs(size: Int64?)
    /// `type=secret`: the secret's bytes, as a file owned by uid:gid with `mode`.
    case secret(id: String, bytes: [UInt8], mode: UInt32, uid: Int, gid: Int)
    /// `type=ssh`: the agent socket given with `--ssh default=…`.
    case ssh(socket: String)

    var isFile: Bool {
        switch self {
        case .secret, .ssh: true
        case let .hostPath(path, _): !FileManager.default.isDirectory(path)
        default: false
        }
    }
}

/// Where `--secret id=ID,src=FILE|env=VAR` reads a secret from.
public enum SecretSource: Sendable, Equatable {
    case file(String)
    case environment(String)

    /// `id=ID,src=FILE`, `id=ID,env=VAR`, `id=ID` (the variable ID, else the file ID), with
    /// buildx's `type=file|env` and `source=` spellings.
    public static func parse(_ text: String) throws -> (String, SecretSource) {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw BuildError.context("--secret \(text): \"\(part)\" is not key=value") }
            fields[kv[0].lowercased()] = kv[1]
        }
        guard let id = fields["id"], !id.isEmpty else { throw BuildError.context("--secret \(text): id= is required") }
        if let src = fields["src"] ?? fields["source"] {
            return (id, fields["type"] == "env" ? .environment(src) : .file(src))
        }
        if let env = fields["env"] { return (id, .environment(env)) }
        return (id, ProcessInfo.processInfo.environment[id] != nil ? .environment(id) : .file(id))
    }

    func read() throws -> [UInt8] {
        switch self {
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path) else { throw BuildError.context("--secret: \(path) cannot be read") }
            return Array(data)
        case let .environment(name):
            guard let value = ProcessInfo.processInfo.environment[name] else { throw BuildError.context("--secret: the environment variable \(name) is not set") }
            return Array(value.utf8)
        }
    }
}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
