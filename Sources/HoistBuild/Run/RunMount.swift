import Foundation
import HoistDockerfile

/// A `RUN --mount` resolved against the build: where its content comes from, before the sandbox
/// exists. RunStep turns each into a mount inside the stage's root.
enum RunMount: Sendable {
    /// `type=cache`: a directory under `$HOIST_ROOT/cache` that outlives builds.
    /// `from`/`source`: layers whose files seed the directory the first time it is made.
    case cache(id: String, sharing: MountSpec.Sharing, mode: UInt32, uid: Int, gid: Int, seed: (layers: [LayerRef], source: String)?)
    /// `type=bind` from the context or a directory named context: a host directory or file.
    case hostPath(String, readOnly: Bool)
    /// `type=bind,from=STAGE|IMAGE`: `source` inside those layers.
    case layers([LayerRef], source: String, readOnly: Bool)
    case tmpfs(size: Int64?)
    /// `type=secret`: the secret's bytes, as a file owned by uid:gid with `mode`.
    case secret(id: String, bytes: [UInt8], mode: UInt32, uid: Int, gid: Int)
    /// `type=ssh`: the agent socket given with `--ssh default=…`.
    case ssh(socket: String)
    /// A `RUN <<EOF` script with a `#!` line, run as a file (executable, read-only) as BuildKit does.
    case script(bytes: [UInt8])

    var isFile: Bool {
        switch self {
        case .secret, .ssh, .script: true
        case let .hostPath(path, _): !FileManager.default.isDirectory(path)
        default: false
        }
    }
}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
