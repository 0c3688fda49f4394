import Foundation

/// One piece of work that several callers wait for: one download of a blob, one unpacking of a
/// layer, one resolution of an image, however many stages ask at the same time. It runs in a task
/// of its own (which keeps the first caller's task-local values, such as its progress vertex).
/// A caller whose task is cancelled stops waiting at once (`CancellationError`); when no caller is
/// left waiting, the work itself is cancelled, so a build that stops does not wait for a download
/// nobody needs any more.
final class SharedTask<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: Result<Value, Error>?
    private var waiters: [Int: CheckedContinuation<Value, Error>] = [:]
    private var nextID = 0
    private var work: Task<Void, Never>?

    init(_ body: @escaping @Sendable () async throws -> Value) {
        let task = Task { [self] in
            let result: Result<Value, Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            let waiting = lock.withLock {
                outcome = result
                defer { waiters = [:] }
                return Array(waiters.values)
            }
            for waiter in waiting { waiter.resume(with: result) }
        }
        lock.withLock { work = task }
    }

    /// The work's result, or its error. Throws `CancellationError` when the caller's task is
    /// cancelled before the work ends.
    func value() async throws -> Value {
        let id = lock.withLock {
            nextID += 1
            return nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
                let ready: Result<Value, Error>? = lock.withLock {
                    if let outcome { return outcome }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
                stopWorkIfNobodyWaits()
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
            stopWorkIfNobodyWaits()
        }
    }

    /// Whether the work was cancelled (nobody waited any more): a new caller should start it again.
    var isCancelled: Bool { lock.withLock { work?.isCancelled ?? false } }

    /// Returns when the work has ended, however it ended: for cleaning up before a process exits.
    func finished() async {
        await lock.withLock { work }?.value
    }

    private func stopWorkIfNobodyWaits() {
        let idle: Task<Void, Never>? = lock.withLock { waiters.isEmpty && outcome == nil ? work : nil }
        idle?.cancel()
    }
}

/// The `SharedTask`s of one kind of work, by key: a caller asking for a key whose work is going
/// waits for that work instead of starting it again (one download per blob, one resolution per
/// image, one unpacking per layer, one token request per scope). A key's entry goes when its work
/// ends; work nobody waits for any more is cancelled, and the next caller starts it afresh.
public final class SharedTasks<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [Key: (id: Int, task: SharedTask<Value>)] = [:]
    private var nextID = 0

    public init() {}

    /// The result of `work` for `key`, started now unless it is going already. Throws what the
    /// work throws, or `CancellationError` when the caller's task is cancelled first.
    public func value(for key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task: SharedTask<Value> = lock.withLock {
            if let entry = running[key], !entry.task.isCancelled { return entry.task }
            nextID += 1
            let id = nextID
            // Inserted under the lock before the work can end and remove it.
            let task = SharedTask<Value> { [self] in
                defer { ended(key, id) }
                return try await work()
            }
            running[key] = (id, task)
            return task
        }
        return try await task.value()
    }

    /// Returns when every work going now has ended, including work nobody waits for any more:
    /// for cleaning up before a process exits.
    public func settle() async {
        for entry in lock.withLock({ Array(running.values) }) { await entry.task.finished() }
    }

    private func ended(_ key: Key, _ id: Int) {
        lock.withLock { if running[key]?.id == id { running[key] = nil } }
    }
}
