import Foundation
import HoistBuild

/// `--progress`, as buildx reads it: `auto` (tty on a terminal, plain otherwise), `tty`, `plain`,
/// `rawjson` or `quiet`; `BUILDKIT_PROGRESS` gives the default. docs/progress.md shows each.
enum ProgressMode: String, CaseIterable {
    case auto, tty, plain, rawjson, quiet

    /// The mode asked for (`--progress`, else `BUILDKIT_PROGRESS`, else auto; `-q` is quiet), with
    /// auto settled by whether stderr is a terminal. Throws a usage error naming the bad value.
    static func resolve(flag: String?, quiet: Bool, environment: [String: String]) throws -> ProgressMode {
        if quiet { return .quiet }
        let (text, source) = flag.map { ($0, "--progress") } ?? (environment["BUILDKIT_PROGRESS"].map { ($0, "BUILDKIT_PROGRESS") } ?? ("auto", ""))
        guard let mode = ProgressMode(rawValue: text.isEmpty ? "auto" : text.lowercased()) else {
            throw ProgressModeError(source: source, value: text)
        }
        if mode == .auto { return isatty(STDERR_FILENO) == 1 ? .tty : .plain }
        return mode
    }
}

struct ProgressModeError: Error, CustomStringConvertible {
    var source: String
    var value: String
    var description: String { "\(source)=\(value): expected auto, tty, plain, rawjson or quiet" }
}

/// What a progress printer does: receive events (one at a time, under BuildProgress's lock), and
/// end (the build is over: draw the last state, give the terminal back).
protocol ProgressPrinter: AnyObject, Sendable {
    func receive(_ event: ProgressEvent)
    func finish()
}

/// Writes to stderr without buffering, so progress and errors interleave in order.
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return }
        offset += n
    }
    bytes.removeAll()
}

/// Sizes as buildx prints them (go-units, decimal): `512B`, `12.58kB`, `3.15MB`, `1.20GB`.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes)B" : String(format: "%.2f%@", value, units[unit])
}
