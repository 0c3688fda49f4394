import Foundation
import HoistRegistry

/// One thing a progress view is told, in BuildKit's terms: a vertex (one step of the build, e.g.
/// `[builder 2/4] COPY . .`) starts and completes; while it runs it may carry transfer statuses,
/// command output and Hoist's own notes. Follows BuildKit's `client.SolveStatus` (vertexes,
/// statuses, logs, warnings), one change per event.
public enum ProgressEvent: Sendable {
    /// `name` is what buildx shows, e.g. `[builder 2/4] RUN go build`.
    case started(vertex: ProgressVertex.ID, name: String, at: Date)
    /// `error` is set when the vertex failed; `cached` when its result came from a cache.
    case completed(vertex: ProgressVertex.ID, at: Date, cached: Bool, error: String?)
    /// A blob moving for this vertex: bytes so far of `total` (a BuildKit status, id `sha256:…`).
    case transfer(vertex: ProgressVertex.ID, TransferEvent, started: Date, at: Date)
    /// One line of the command's output (stream 1: stdout and stderr together, as the sandbox
    /// gives them on one pipe), without its newline.
    case output(vertex: ProgressVertex.ID, line: String, at: Date)
    /// One of Hoist's own lines about the vertex (cache decisions, layer sizes), or about the build
    /// when `vertex` is nil.
    case note(vertex: ProgressVertex.ID?, text: String, at: Date)
    /// A Dockerfile lint warning or another warning about the build, as `file:line: Rule: text`.
    case warning(text: String, at: Date)
}
