import Foundation
import HoistOCI
import HoistRegistry

/// Where a build tells what it is doing: vertices start and end, notes, command output, transfers
/// and warnings become `ProgressEvent`s handed to `sink`, in order, from any thread. The printers
/// (plain, tty, rawjson) live in the CLI; `lines` suits tests and library callers.
public final class BuildProgress: @unchecked Sendable {
    private let sink: @Sendable (ProgressEvent) -> Void
    private let lock = NSLock()
    private var count = 0

    /// `sink` is called under a lock, one event at a time: it must not call back into this object.
    public init(sink: @escaping @Sendable (ProgressEvent) -> Void) {
        self.sink = sink
    }

    /// Progress as plain lines: vertex names when they start, notes as they are, command output
    /// after `  | `, failures as `NAME: ERROR`; warnings go to `warn` as they are.
    public static func lines(_ line: @escaping @Sendable (String) -> Void, warn: @escaping @Sendable (String) -> Void) -> BuildProgress {
        let names = NamesByVertex()
        return BuildProgress { event in
            switch event {
            case let .started(id, name, _):
                names.set(id, name)
                line(name)
            case let .completed(id, _, _, error?): line("\(names.get(id)): \(error)")
            case .completed, .transfer: break
            case let .output(_, text, _): line("  | " + text)
            case let .note(_, text, _): line(text)
            case let .warning(text, _): warn(text)
            }
        }
    }

    /// Starts a vertex named `name` (buildx's form, e.g. `[builder 2/4] COPY . .`).
    public func start(_ name: String) -> ProgressVertex {
        let n = lock.withLock {
            count += 1
            return count
        }
        let id = Digest.sha256(of: Array("hoist vertex \(n)\u{0}\(name)".utf8)).description
        let vertex = ProgressVertex(id: id, name: name, progress: self)
        emit(.started(vertex: id, name: name, at: Date()))
        return vertex
    }

    /// A note under the vertex the current task is doing (`ProgressVertex.current`), or about the
    /// build when there is none.
    public func log(_ text: String) {
        if let vertex = ProgressVertex.current { vertex.note(text) } else { emit(.note(vertex: nil, text: text, at: Date())) }
    }

    public func warning(_ text: String) { emit(.warning(text: text, at: Date())) }

    /// What the registry client calls for each blob transfer: it goes under the vertex the asking
    /// task is doing (`ProgressVertex.current`), or is not shown when there is none.
    public var transferObserver: TransferObserver {
        { [weak self] first in
            guard let self, let vertex = ProgressVertex.current else { return nil }
            let started = Date()
            self.emit(.transfer(vertex: vertex.id, first, started: started, at: started))
            return { [weak self] event in self?.emit(.transfer(vertex: vertex.id, event, started: started, at: Date())) }
        }
    }

    func emit(_ event: ProgressEvent) {
        lock.withLock { sink(event) }
    }
}

/// Vertex names by id, for `BuildProgress.lines`.
private final class NamesByVertex: @unchecked Sendable {
    private var names: [String: String] = [:]
    // Called only from BuildProgress's sink, under its lock.
    func set(_ id: String, _ name: String) { names[id] = name }
    func get(_ id: String) -> String { names[id] ?? id }
}
