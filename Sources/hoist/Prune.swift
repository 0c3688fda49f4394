import ArgumentParser
import Foundation
import HoistBuild
import HoistContent

/// `hoist prune`: like `docker builder prune`, frees the build cache; what a running build uses stays.
struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the build cache (unpacked layers, cached RUN results, cache mounts, layer indexes) that no running build uses.")

    func run() async throws {
        // Rootless snapshots hold read-only directories only the namespace's root may empty.
        UserNamespaceEntry.enterIfNeeded()
        try await reportingFailure {
            print(try await BuildCachePruner(root: HoistPaths.root()).prune().summary)
        }
    }
}
