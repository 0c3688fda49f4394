import Foundation
import HoistContent
import HoistLayers

/// How much of a build runs at once. Stages that do not depend on each other run together, and
/// so do the platforms of a multi-platform build; what they share is bounded here (transfers are
/// bounded by `RegistryClient`'s window). The result never depends on these: a sequential build
/// gives the same bytes.
struct BuildLimits: Sendable {
    /// Stages of one platform running at once (`BuildOptions.jobs`, the CLI's `HOIST_JOBS`;
    /// unbounded when unset). With 1,
    /// stages run one after another in build order and platforms one after another: today's
    /// sequential build, kept for comparison and for debugging.
    let jobs: Int
    /// RUN commands at once: twice the cores, at least 4, since RUNs often wait (network, sleep,
    /// I/O) and a command's own parallelism (make -j) is its own.
    let sandboxes: ConcurrencyLimit
    /// CPU-bound layer work at once (a new layer's diff and compression): the cores.
    let cpu: ConcurrencyLimit

    /// `jobs`: stages at once, nil for no bound (values below 1 count as 1).
    init(jobs: Int?) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        self.jobs = max(1, jobs ?? Int.max)
        let sequential = self.jobs == 1
        sandboxes = ConcurrencyLimit(width: sequential ? 1 : max(4, 2 * cores))
        cpu = ConcurrencyLimit(width: sequential ? 1 : cores)
    }

    /// Writes a new layer into `store` (`LayerBuilder.write`) within the CPU bound, on a thread of
    /// its own: the one way a step's entries become a layer. Throws what `LayerBuilder` throws.
    func writeLayer(_ entries: [LayerEntry], into store: ContentStore, compression: LayerCompression) async throws -> BuiltLayer {
        try await writingLayer { try LayerBuilder.write(entries, into: store, compression: compression) }
    }

    /// Runs `write`, which writes a new layer some other way (`StreamedCopy`), as `writeLayer`
    /// does: within the CPU bound, on a thread of its own. Returns or throws what `write` does.
    func writingLayer<T: Sendable>(_ write: @escaping @Sendable () throws -> T) async throws -> T {
        try await cpu.run { try await Blocking.run(write) }
    }
}
