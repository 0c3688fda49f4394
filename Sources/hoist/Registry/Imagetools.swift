import ArgumentParser
import Foundation
import HoistBuild
import HoistOCI

/// `hoist imagetools`, as `docker buildx imagetools`: work on images in registries without pulling them.
struct Imagetools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work on images in a registry without pulling them.",
        subcommands: [Create.self]
    )

    /// `hoist imagetools create -t REF SRC…`: one index over the sources' platform manifests.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an index from images already in registries (blobs mounted, never downloaded).",
            discussion: "Each SOURCE is an image or index reference, usually by digest (REPO@sha256:…). Every platform manifest of every source goes into one index, pushed to each -t."
        )

        @Option(name: [.customShort("t"), .long], help: "Where to push the index (repeatable).")
        var tag: [String] = []

        @Flag(help: "Keep the manifests the first -t already has, adding the sources'.")
        var append = false

        @Option(help: "An annotation on the index: KEY=VALUE or index:KEY=VALUE (repeatable).")
        var annotation: [String] = []

        @Flag(name: .customLong("dry-run"), help: "Print the index instead of pushing it.")
        var dryRun = false

        @OptionGroup var registry: RegistryOptions

        @Argument(help: "Source images or indexes.")
        var sources: [String] = []

        func validate() throws {
            guard !tag.isEmpty || dryRun else { throw ValidationError("give at least one -t REF to push the index to (or --dry-run)") }
            guard !sources.isEmpty || (append && !tag.isEmpty) else { throw ValidationError("give at least one source image") }
        }

        func run() async throws {
            try await reportingFailure {
                func reference(_ text: String, _ what: String) throws -> Reference {
                    do { return try Reference(parsing: text) } catch { throw ValidationError("\(what) \(text): \(error)") }
                }
                let targets = try tag.map { try reference($0, "-t") }
                let inputs = try sources.map { try reference($0, "source") }
                var annotations: [String: String] = [:]
                for item in annotation {
                    guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw ValidationError("--annotation \(item): expected KEY=VALUE") }
                    var key = String(item[..<eq])
                    if key.hasPrefix("index:") { key.removeFirst("index:".count) }
                    else if key.contains(":"), !key.hasPrefix("index") { throw ValidationError("--annotation \(item): only index annotations can be set here (index:KEY=VALUE)") }
                    annotations[key] = String(item[item.index(after: eq)...])
                }
                let composer = IndexComposer(registry: try registry.client()) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
                let (digest, bytes) = try await composer.create(sources: inputs, targets: targets, append: append,
                                                               annotations: annotations, dryRun: dryRun)
                if dryRun { print(String(decoding: bytes, as: UTF8.self)) } else { print(digest) }
            }
        }
    }
}
