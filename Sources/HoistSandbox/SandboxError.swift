/// What can go wrong between a RUN and its layer, said for the person at the terminal.
public enum SandboxError: Error, CustomStringConvertible {
    case snapshot(String, String)
    case overlay(String)
    case setup(String)
    case notRoot
    case unknownUser(String)
    case unknownGroup(String)

    public var description: String {
        switch self {
        case let .snapshot(path, why): "cannot keep the snapshot \(path): \(why)"
        case let .overlay(why): "cannot mount the stage's root filesystem with overlayfs: \(why)"
        case let .setup(why): "cannot start the RUN sandbox: \(why)"
        case .notRoot: "RUN needs root (or CAP_SYS_ADMIN) for its namespaces and mounts; run hoist as root"
        case let .unknownUser(user): "USER \(user): no such user in the stage's /etc/passwd"
        case let .unknownGroup(group): "USER …:\(group): no such group in the stage's /etc/group"
        }
    }
}
