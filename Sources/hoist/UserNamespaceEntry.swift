import Foundation

/// Without root, `hoist assemble` (and `hoist prune`) runs itself again with HOIST_USERNS=1, and CSandbox moves the new
/// process into a user namespace of its own before main (the caller's uid seen as root), where RUN
/// may mount overlayfs and make namespaces. HOIST_USERNS=0 keeps hoist out of it.
enum UserNamespaceEntry {
    static func enterIfNeeded() {
        guard geteuid() != 0, ProcessInfo.processInfo.environment["HOIST_USERNS"] == nil else { return }
        setenv("HOIST_USERNS", "1", 1)
        var argv = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // exec failed: go on outside a namespace; a RUN says what it lacks.
        setenv("HOIST_USERNS", "0", 1)
    }
}
