import Foundation

/// What must be undone if Hoist is interrupted (Ctrl-C, SIGTERM) while a RUN is going: the
/// sandbox's outer process (killing it kills the whole PID namespace, whose init dies with it) and
/// the overlay mounts. Hoist's signal handler calls `interrupt()` and then exits; blobs in the store
/// are only ever renamed into place complete, so the store stays consistent.
public enum SandboxRegistry {
    /// The running sandbox's outer pid, written by CSandbox as soon as it forks (0 when none).
    nonisolated(unsafe) static var running: pid_t = 0
    private static let lock = NSLock()
    nonisolated(unsafe) private static var mounts: Set<String> = []

    static func mounted(_ path: String) {
        lock.lock(); mounts.insert(path); lock.unlock()
    }

    static func unmounted(_ path: String) {
        lock.lock(); mounts.remove(path); lock.unlock()
    }

    /// Kills the running sandbox and detaches every overlay this process mounted.
    public static func interrupt() {
        let pid = running
        if pid > 0 { kill(pid, SIGKILL) }
        lock.lock()
        let paths = mounts
        lock.unlock()
        for path in paths { umount2(path, Int32(MNT_DETACH)) }
    }
}
