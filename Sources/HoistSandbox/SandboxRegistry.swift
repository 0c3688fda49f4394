import Foundation

/// What must be undone if Hoist is interrupted (Ctrl-C, SIGTERM) or a build stops early while
/// RUNs are going: each sandbox's outer process (killing it kills the whole PID namespace, whose
/// init dies with it) and the overlay mounts. Several stages may run sandboxes at once, so each run
/// has its own `Slot`. Hoist's signal handler calls `interrupt()` and then exits; blobs in the
/// store are only ever renamed into place complete, so the store stays consistent.
public enum SandboxRegistry {
    /// One sandbox run: CSandbox writes the outer pid into `pid` as soon as it forks (0 until then).
    final class Slot: @unchecked Sendable {
        let pid: UnsafeMutablePointer<pid_t>
        /// The run is over: nothing may be killed through this slot any more.
        var released = false

        init() {
            pid = .allocate(capacity: 1)
            pid.initialize(to: 0)
        }

        deinit { pid.deallocate() }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var mounts: Set<String> = []
    nonisolated(unsafe) private static var slots: [ObjectIdentifier: Slot] = [:]

    static func mounted(_ path: String) {
        lock.lock(); mounts.insert(path); lock.unlock()
    }

    static func unmounted(_ path: String) {
        lock.lock(); mounts.remove(path); lock.unlock()
    }

    /// A slot for one sandbox run; give it back with `release` when the run is over.
    static func slot() -> Slot {
        let slot = Slot()
        lock.lock(); slots[ObjectIdentifier(slot)] = slot; lock.unlock()
        return slot
    }

    static func release(_ slot: Slot) {
        lock.lock()
        slot.released = true
        slots[ObjectIdentifier(slot)] = nil
        lock.unlock()
    }

    /// Kills the sandbox of `slot`. One asked to stop before CSandbox has forked it (pid still 0)
    /// is killed as soon as its pid appears, unless its run is over by then.
    static func kill(_ slot: Slot) {
        let thread = Thread {
            while true {
                lock.lock()
                if slot.released { lock.unlock(); return }
                let pid = slot.pid.pointee
                if pid > 0 { Glibc.kill(pid, SIGKILL) }
                lock.unlock()
                if pid > 0 { return }
                usleep(5_000)
            }
        }
        thread.start()
    }

    /// Kills every running sandbox and detaches every overlay this process mounted.
    public static func interrupt() {
        lock.lock()
        for slot in slots.values where slot.pid.pointee > 0 { Glibc.kill(slot.pid.pointee, SIGKILL) }
        let paths = mounts
        lock.unlock()
        for path in paths { umount2(path, Int32(MNT_DETACH)) }
    }
}
