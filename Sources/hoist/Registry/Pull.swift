import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistOCI
import HoistRegistry

/// `hoist pull REF`: the image for this platform into the local store, named in `$HOIST_ROOT/index.json`.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pull an image into the local store.")

    @Option(help: "The platform to pull from an index (default: this machine's).")
    var platform: String?

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The image, e.g. busybox:latest or ghcr.io/owner/app@sha256:…")
    var reference: String

    func run() async throws {
        do {
            let client = try registry.client()
            let text = reference.hasPrefix("docker://") ? String(reference.dropFirst(9)) : reference
            let ref = try Reference(parsing: text)
            let image = try await client.resolve(ref, shortName: EndpointResolver.isShortName(text),
                                                 platform: try platform.map(Platform.init(parsing:)) ?? .host)
            for layer in image.manifest.layers { try await client.fetchBlob(layer, from: image.endpoint) }
            let size = client.store.size(of: image.manifestDigest) ?? 0
            try LocalImages(root: client.store.root).record(ref.withDefaultTag, manifest: Descriptor(mediaType: image.manifest.mediaType ?? .ociManifest, digest: image.manifestDigest, size: size))
            let stats = await client.stats
            FileHandle.standardError.write(Data("pulled \(ref.withDefaultTag): \(image.manifest.layers.count) layers, downloaded \(stats.downloadedBytes) bytes\n".utf8))
            print(image.manifestDigest)
        } catch {
            reportFailure(error)
            throw ExitCode.failure
        }
    }
}
