import Foundation
import HoistBuild

/// buildx's plain progress, for CI logs: `#N NAME` when a step starts (again, after `#M ...`, when
/// another step spoke in between), command output as `#N 0.262 LINE` (seconds since the step
/// started), transfers as `#N sha256:… 3.15MB / 30.00MB 1.0s` at most once a second and `… done`,
/// Hoist's notes as `#N TEXT`, and `#N DONE 1.2s`, `#N CACHED`, `#N ERROR: …` or `#N CANCELED`.
final class PlainPrinter: ProgressPrinter, @unchecked Sendable {
    private struct Vertex {
        var number: Int
        var name: String
        var started: Date
        var completed = false
    }
    private var vertices: [String: Vertex] = [:]
    private var current: String?
    private var lastTransferLine: [String: Date] = [:]
    private let write: (String) -> Void

    init(write: @escaping (String) -> Void = writeStandardError) {
        self.write = write
    }

    func receive(_ event: ProgressEvent) {
        switch event {
        case let .started(id, name, at):
            vertices[id] = Vertex(number: vertices.count + 1, name: name, started: at)
            switchTo(id)
        case let .completed(id, at, cached, error):
            guard let v = vertices[id] else { return }
            switchTo(id)
            if let error {
                write(error == "context canceled" ? "#\(v.number) CANCELED\n" : "#\(v.number) ERROR: \(error)\n")
            } else if cached {
                write("#\(v.number) CACHED\n")
            } else {
                write("#\(v.number) DONE \(String(format: "%.1f", at.timeIntervalSince(v.started)))s\n")
            }
            vertices[id]?.completed = true
        case let .transfer(id, transfer, started, at):
            guard let v = vertices[id] else { return }
            let key = id + transfer.digest.description
            if !transfer.done, let last = lastTransferLine[key], at.timeIntervalSince(last) < 1 { return }
            lastTransferLine[key] = transfer.done ? nil : at
            switchTo(id)
            let seconds = at.timeIntervalSince(started)
            write("#\(v.number) \(transfer.digest) \(formatBytes(transfer.current)) / \(formatBytes(transfer.total))"
                + (seconds > 0.01 ? String(format: " %.1fs", seconds) : "") + (transfer.done ? " done" : "") + "\n")
        case let .output(id, line, at):
            guard let v = vertices[id] else { return }
            switchTo(id)
            write("#\(v.number) \(String(format: "%.3f", at.timeIntervalSince(v.started))) \(line)\n")
        case let .note(id?, text, _):
            guard let v = vertices[id] else { return }
            switchTo(id)
            write("#\(v.number) \(text.trimmingCharacters(in: .whitespaces))\n")
        case let .note(nil, text, _):
            write(text + "\n")
        case let .warning(text, _):
            write("warning: \(text)\n")
        }
    }

    /// Starts `id`'s block: marks the one it interrupts with `#M ...` and repeats `id`'s name.
    private func switchTo(_ id: String) {
        guard current != id, let v = vertices[id] else { return }
        if let old = current, let previous = vertices[old], !previous.completed { write("#\(previous.number) ...\n") }
        write("\n#\(v.number) \(v.name)\n")
        current = id
    }

    func finish() {}
}
