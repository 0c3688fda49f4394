import CSandbox
import Foundation

/// What can go wrong between a RUN and its layer, said for the person at the terminal.
public enum SandboxError: Error, CustomStringConvertible {
    case snapshot(String, String)
    case overlay(String)
    case setup(String)
    case notRoot
    case unmappedUser(String, UInt32, UInt32)
    case unknownUser(String)
    case unknownGroup(String)
    /// `--ulimit TEXT`: what is wrong with it.
    case badLimit(String, String)

    public var description: String {
        switch self {
        case let .snapshot(path, why): "cannot keep the snapshot \(path): \(why)"
        case let .overlay(why): "cannot mount the stage's root filesystem with overlayfs: \(why)"
        case let .setup(why): "cannot start the RUN sandbox: \(why)"
        case .notRoot:
            switch hoist_userns_state() {
            case ..<0:
                "RUN without root needs a user namespace, and the kernel refused one (\(String(cString: strerror(-hoist_userns_state())))); "
                    + "run hoist as root, or allow unprivileged user namespaces (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)"
            default:
                "RUN needs root or a user namespace of its own; run hoist as root, or leave HOIST_USERNS unset so that hoist enters one"
            }
        case let .unmappedUser(spec, uid, gid):
            "USER \(spec) is uid \(uid), gid \(gid): without root, a RUN runs in a user namespace where root is your own uid "
                + SandboxError.subordinateIDAdvice(uid: uid, gid: gid)
        case let .unknownUser(user): "USER \(user): no such user in the stage's /etc/passwd"
        case let .unknownGroup(group): "USER …:\(group): no such group in the stage's /etc/group"
        case let .badLimit(text, why): "--ulimit \(text): \(why)"
        }
    }
}

extension SandboxError {
    /// What the caller's subordinate ranges give, and how to get them.
    static func subordinateIDAdvice(uid: UInt32, gid: UInt32) -> String {
        let caller = hoist_userns_state() == 1 ? hoist_userns_caller() : geteuid()
        let name = getpwuid(caller).map { String(cString: $0.pointee.pw_name) } ?? "\(caller)"
        switch hoist_userns_subids() {
        case HOIST_SUBIDS_MAPPED:
            return "and ids 1 and up are your subordinate ranges (/etc/subuid, /etc/subgid), which do not reach uid \(uid) or gid \(gid); "
                + "give \(name) larger ranges, or run hoist as root"
        case HOIST_SUBIDS_FAILED:
            return "and your ranges in /etc/subuid and /etc/subgid could not be mapped (newuidmap/newgidmap missing or refusing: "
                + "apt-get install uidmap, and check the ranges are \(name)'s), or run hoist as root"
        default:
            return "and no other id exists: no subordinate ids are configured for \(name) in /etc/subuid and /etc/subgid; as root run "
                + "`usermod --add-subuids 100000-165535 --add-subgids 100000-165535 \(name)` and `apt-get install uidmap`, or run hoist as root"
        }
    }
}
