import Foundation
import HoistOCI
import HoistRegistry

/// A running step of the build as progress views show it (BuildKit's vertex). Made by
/// `BuildProgress.start`; everything said through it carries its id. The step a task is doing is
/// in `ProgressVertex.current`, so transfers it starts are shown under it.
public struct ProgressVertex: Sendable {
    /// A vertex's id: `sha256:` and 64 hex digits, as BuildKit's LLB digests look, made from the
    /// vertex's number and name.
    public typealias ID = String

    public let id: ID
    public let name: String
    let progress: BuildProgress
    private let hit = CacheHitFlag()

    /// The vertex whose work the current task is doing, if any.
    @TaskLocal public static var current: ProgressVertex?

    /// One of Hoist's lines about this step.
    public func note(_ text: String) { progress.emit(.note(vertex: id, text: text, at: Date())) }

    /// One line of the command's output.
    public func output(_ line: String) { progress.emit(.output(vertex: id, line: line, at: Date())) }

    /// Ends the vertex; `cached` when its result came from a cache.
    public func done(cached: Bool = false) { progress.emit(.completed(vertex: id, at: Date(), cached: cached, error: nil)) }

    /// Ends the vertex with `error`. A step stopped because another failed first (its task is
    /// cancelled, whatever error that made) says `context canceled`, which buildx prints as CANCELED.
    public func failed(_ error: Error) {
        let text = error is CancellationError || Task.isCancelled ? "context canceled" : "\(error)"
        progress.emit(.completed(vertex: id, at: Date(), cached: false, error: text))
    }

    /// Says that the step's result came from a cache: `run` ends it as `CACHED`.
    public func markCached() { hit.set() }

    /// Runs `body` as this vertex's work (its transfers and notes are shown under it) and ends the
    /// vertex when it returns (as `CACHED` after `markCached`) or throws.
    public func run<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await ProgressVertex.$current.withValue(self) { try await body() }
            done(cached: hit.value)
            return value
        } catch {
            failed(error)
            throw error
        }
    }
}

/// Whether a vertex's result came from a cache; set from inside the step, read when it ends.
private final class CacheHitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var hit = false
    func set() { lock.withLock { hit = true } }
    var value: Bool { lock.withLock { hit } }
}
