import Foundation

/// At most `width` holders at once; the others wait in order (FIFO). A waiter whose task is
/// cancelled stops waiting and gets `CancellationError`. Used for the registry's transfer window and
/// for the build's sandboxes and CPU-bound work, so concurrent stages and platforms stay bounded.
/// `run`'s body keeps the caller's isolation (an actor's method may pass its own state).
public final class ConcurrencyLimit: @unchecked Sendable {
    public let width: Int
    private let lock = NSLock()
    private var held = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID = 0

    /// `width` is clamped to at least 1.
    public init(width: Int) { self.width = max(1, width) }

    /// Runs `body` once a place is free, and frees it when `body` ends (returns or throws).
    /// Throws `CancellationError` when the task is cancelled while it waits.
    public func run<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire(isolation: isolated (any Actor)? = #isolation) async throws {
        let waiting: Int? = lock.withLock {
            if held < width {
                held += 1
                return nil
            }
            nextID += 1
            return nextID
        }
        guard let id = waiting else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                lock.lock()
                // A place may have been freed between the two locks.
                if held < width {
                    held += 1
                    lock.unlock()
                    continuation.resume()
                } else if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let i = waiters.firstIndex { $0.id == id }
            let waiter = i.map { waiters.remove(at: $0) }
            lock.unlock()
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release() {
        lock.lock()
        // The place passes straight to the first waiter, so `held` stays the same.
        let next = waiters.isEmpty ? nil : waiters.removeFirst()
        if next == nil { held -= 1 }
        lock.unlock()
        next?.continuation.resume()
    }
}
