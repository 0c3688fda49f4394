import Foundation
import HoistBuild
import HoistOCI
import HoistRegistry

/// `--progress=tty`: buildx's live view, redrawn in place ten times a second on stderr.
/// ```
/// [+] Building 2.4s (6/8)
///  => [internal] load build definition from Dockerfile          0.0s
///  => CACHED [a 1/2] FROM busybox                               0.0s
///  => [b 2/2] RUN make                                          1.3s
///  => => # the command's last lines (at most 6)
///  => => sha256:1f3a… 3.15MB / 30.00MB 2.10MB/s                 1.5s
/// ```
/// Finished steps fold to one line with their time (or `CACHED`, `ERROR`); lines fit the
/// terminal's width and the view its height (older finished steps scroll off first). Warnings
/// are held and printed under the summary, so they do not tear the view. The cursor is hidden
/// while drawing and shown again by `finish` or, on Ctrl-C, by `restoreTerminal`.
final class TTYPrinter: ProgressPrinter, @unchecked Sendable {
    private struct Transfer {
        var event: TransferEvent
        var started: Date
        var at: Date
    }
    private struct Vertex {
        var name: String
        var started: Date
        var completed: Date?
        var cached = false
        var error: String?
        var logs: [String] = []
        var transfers: [Digest: Transfer] = [:]
    }

    private let lock = NSLock()
    private var order: [String] = []
    private var vertices: [String: Vertex] = [:]
    private var warnings: [String] = []
    private let began = Date()
    private var drawnLines = 0
    private var finished = false
    static let logLines = 6

    init() {
        writeStandardError("\u{1B}[?25l")
        let thread = Thread { [weak self] in
            while let self, !self.isFinished {
                self.draw()
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        thread.start()
    }

    private var isFinished: Bool { lock.withLock { finished } }

    func receive(_ event: ProgressEvent) {
        lock.withLock {
            switch event {
            case let .started(id, name, at):
                order.append(id)
                vertices[id] = Vertex(name: name, started: at)
            case let .completed(id, at, cached, error):
                vertices[id]?.completed = at
                vertices[id]?.cached = cached
                vertices[id]?.error = error
            case let .transfer(id, transfer, started, at):
                vertices[id]?.transfers[transfer.digest] = Transfer(event: transfer, started: started, at: at)
            case let .output(id, line, _):
                vertices[id]?.logs.append(TTYPrinter.printable(line))
                if let count = vertices[id]?.logs.count, count > TTYPrinter.logLines { vertices[id]?.logs.removeFirst(count - TTYPrinter.logLines) }
            case .note:
                // Hoist's notes are for plain logs; the live view shows the steps themselves.
                break
            case let .warning(text, _):
                warnings.append(text)
            }
        }
    }

    /// Stops redrawing, draws the final state with every step folded, then the held warnings.
    func finish() {
        lock.withLock { finished = true }
        draw(final: true)
        let held = lock.withLock { warnings }
        writeStandardError("\u{1B}[?25h" + held.map { "warning: \($0)\n" }.joined())
    }

    /// Shows the cursor again and moves below the view: for Ctrl-C, before the process exits.
    static func restoreTerminal() {
        writeStandardError("\u{1B}[?25h\n")
    }

    private func draw(final: Bool = false) {
        let (columns, rows) = TTYPrinter.terminalSize()
        lock.withLock {
            // The redraw thread may come once more after the final drawing.
            if finished, !final { return }
            var lines = render(width: columns, now: Date(), final: final)
            // Keep the header and the newest lines when the view is taller than the terminal.
            if lines.count > rows - 1, rows > 2 { lines = [lines[0]] + lines.suffix(rows - 2) }
            var out = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r" : "\r"
            for line in lines { out += line + "\u{1B}[K\n" }
            out += "\u{1B}[J"
            drawnLines = lines.count
            writeStandardError(out)
        }
    }

    /// The view's lines, each at most `width` columns.
    private func render(width: Int, now: Date, final: Bool) -> [String] {
        let done = order.filter { vertices[$0]?.completed != nil }.count
        let elapsed = String(format: "%.1fs", now.timeIntervalSince(began))
        var lines = ["[+] Building \(elapsed) (\(done)/\(order.count))" + (final ? " FINISHED" : "")]
        func line(_ left: String, _ time: String) -> String {
            let room = max(8, width - time.count - 1)
            var shown = left
            if shown.count > room { shown = String(shown.prefix(room - 1)) + "…" }
            return shown + String(repeating: " ", count: max(1, width - shown.count - time.count)) + time
        }
        for id in order {
            guard let v = vertices[id] else { continue }
            let end = v.completed ?? now
            let time = v.cached ? "0.0s" : String(format: "%.1fs", end.timeIntervalSince(v.started))
            let prefix = v.error != nil ? " => ERROR " : v.cached ? " => CACHED " : " => "
            lines.append(line(prefix + v.name, time))
            guard v.completed == nil else { continue }
            for log in v.logs { lines.append(line(" => => # " + log, "")) }
            for transfer in v.transfers.values.sorted(by: { $0.started < $1.started }) where !transfer.event.done {
                let seconds = transfer.at.timeIntervalSince(transfer.started)
                let rate = seconds > 0 ? " " + formatBytes(Int64(Double(transfer.event.current) / seconds)) + "/s" : ""
                let digest = String(transfer.event.digest.description.prefix(19))
                lines.append(line(" => => \(digest) \(formatBytes(transfer.event.current)) / \(formatBytes(transfer.event.total))\(rate)",
                                  String(format: "%.1fs", now.timeIntervalSince(transfer.started))))
            }
        }
        return lines
    }

    /// A command's line without escape sequences and control characters (a carriage return keeps
    /// what follows it), so it cannot move the cursor or break the view's line count.
    static func printable(_ line: String) -> String {
        let afterReturn = line.split(separator: "\r", omittingEmptySubsequences: true).last.map(String.init) ?? ""
        let plain = afterReturn.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[ -/]*[@-~]", with: "", options: .regularExpression)
        return String(String.UnicodeScalarView(plain.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Columns and rows of the terminal on stderr (80×24 when it cannot say).
    static func terminalSize() -> (Int, Int) {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
