import Foundation
import HoistBuild

/// `--progress=rawjson`: one JSON object per line, each a BuildKit `SolveStatus` with one change
/// (`vertexes`, `statuses`, `logs` or `warnings`), as `buildx --progress=rawjson` prints them.
/// docs/progress.md gives the schema.
final class RawJSONPrinter: ProgressPrinter, @unchecked Sendable {
    private var vertices: [String: (name: String, started: Date)] = [:]
    private let dates = ISO8601DateFormatter()
    private let write: (String) -> Void

    init(write: @escaping (String) -> Void = writeStandardError) {
        self.write = write
        dates.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    func receive(_ event: ProgressEvent) {
        let object: [String: Any]
        switch event {
        case let .started(id, name, at):
            vertices[id] = (name, at)
            object = ["vertexes": [["digest": id, "name": name, "started": dates.string(from: at)]]]
        case let .completed(id, at, cached, error):
            guard let v = vertices[id] else { return }
            var vertex: [String: Any] = ["digest": id, "name": v.name, "started": dates.string(from: v.started), "completed": dates.string(from: at)]
            if cached { vertex["cached"] = true }
            if let error { vertex["error"] = error }
            object = ["vertexes": [vertex]]
        case let .transfer(id, transfer, started, at):
            var status: [String: Any] = ["id": transfer.digest.description, "vertex": id,
                                         "name": transfer.direction == .download ? "downloading" : "uploading",
                                         "current": transfer.current, "total": transfer.total,
                                         "timestamp": dates.string(from: at), "started": dates.string(from: started)]
            if transfer.done { status["completed"] = dates.string(from: at) }
            object = ["statuses": [status]]
        case let .output(id, line, at):
            object = ["logs": [["vertex": id, "stream": 1, "data": Data((line + "\n").utf8).base64EncodedString(), "timestamp": dates.string(from: at)]]]
        case let .note(id, text, at):
            var status: [String: Any] = ["id": text.trimmingCharacters(in: .whitespaces), "timestamp": dates.string(from: at),
                                         "started": dates.string(from: at), "completed": dates.string(from: at)]
            if let id { status["vertex"] = id }
            object = ["statuses": [status]]
        case let .warning(text, _):
            object = ["warnings": [["level": 1, "short": Data(text.utf8).base64EncodedString()]]]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    func finish() {}
}
