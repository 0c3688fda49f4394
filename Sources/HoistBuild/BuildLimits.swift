import Foundation
import HoistRegistry

/// How much of a build runs at once. Stages that do not depend on each other run together, and
/// so do the platforms of a multi-platform build; what they share is bounded here (transfers are
/// bounded by `RegistryClient`'s window). The result never depends on these: a sequential build
/// gives the same bytes.
struct BuildLimits: Sendable {
    /// Stages of one platform running at once, from `HOIST_JOBS` (unbounded when unset). With 1,
    /// stages run one after another in build order and platforms one after another: today's
    /// sequential build, kept for comparison and for debugging.
    let jobs: Int
    /// RUN commands at once: twice the cores, at least 4, since RUNs often wait (network, sleep,
    /// I/O) and a command's own parallelism (make -j) is its own.
    let sandboxes: ConcurrencyLimit
    /// CPU-bound layer work at once (a new layer's diff and compression): the cores.
    let cpu: ConcurrencyLimit

    /// Reads `HOIST_JOBS`; throws `BuildError.context` for a value that is not a positive number.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let text = environment["HOIST_JOBS"], !text.isEmpty {
            guard let n = Int(text), n > 0 else { throw BuildError.context("HOIST_JOBS=\(text): expected a positive number of stages to run at once (1 runs them one after another)") }
            jobs = n
        } else {
            jobs = Int.max
        }
        let sequential = jobs == 1
        sandboxes = ConcurrencyLimit(width: sequential ? 1 : max(4, 2 * cores))
        cpu = ConcurrencyLimit(width: sequential ? 1 : cores)
    }
}
