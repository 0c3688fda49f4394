import Foundation

/// Runs blocking work (decompressing a layer, reading a big file) on a thread of its own, so it
/// never occupies one of the few threads of Swift's cooperative pool.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }
}
