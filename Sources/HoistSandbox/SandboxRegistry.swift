import Foundation

/// What must be undone if Hoist is interrupted (Ctrl-C, SIGTERM) or a build stops early while
/// RUNs are going: each sandbox's outer process (killing it kills the whole PID namespace, whose
/// init dies with it) and the overlay mounts. Several stages may run sandboxes at once, so each run
/// has its own pid slot. Hoist's signal handler calls `interrupt()` and then exits; blobs in the
/// store are only ever renamed into place complete, so the store stays consistent.
public enum SandboxRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var mounts: Set<String> = []
    /// One slot per running sandbox, written by CSandbox as soon as it forks (0 until then).
    nonisolated(unsafe) private static var slots: Set<UnsafeMutablePointer<pid_t>> = []

    static func mounted(_ path: String) {
        lock.lock(); mounts.insert(path); lock.unlock()
    }

    static func unmounted(_ path: String) {
        lock.lock(); mounts.remove(path); lock.unlock()
    }

    /// A pid slot for one sandbox run; give it back with `release`.
    static func slot() -> UnsafeMutablePointer<pid_t> {
        let slot = UnsafeMutablePointer<pid_t>.allocate(capacity: 1)
        slot.initialize(to: 0)
        lock.lock(); slots.insert(slot); lock.unlock()
        return slot
    }

    static func release(_ slot: UnsafeMutablePointer<pid_t>) {
        lock.lock(); slots.remove(slot); lock.unlock()
        slot.deallocate()
    }

    /// Kills the sandbox whose pid is in `slot`, if it has started and is still registered.
    static func kill(_ slot: UnsafeMutablePointer<pid_t>) {
        lock.lock(); defer { lock.unlock() }
        if slots.contains(slot), slot.pointee > 0 { Glibc.kill(slot.pointee, SIGKILL) }
    }

    /// Kills every running sandbox and detaches every overlay this process mounted.
    public static func interrupt() {
        lock.lock()
        for slot in slots where slot.pointee > 0 { Glibc.kill(slot.pointee, SIGKILL) }
        let paths = mounts
        lock.unlock()
        for path in paths { umount2(path, Int32(MNT_DETACH)) }
    }
}
