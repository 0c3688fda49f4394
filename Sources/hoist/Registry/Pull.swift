import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistOCI
import HoistRegistry

/// `hoist pull REF`: the image for this platform into the local store, named in `$HOIST_ROOT/index.json`.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pull an image into the local store.")

    @OptionGroup var platform: PlatformOption

    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The image, e.g. busybox:latest or ghcr.io/owner/app@sha256:…")
    var reference: String

    func run() async throws {
        do {
            let client = try registry.client()
            let argument = try ImageArgument(reference)
            let ref = argument.reference
            let image = try await client.resolve(ref, shortName: argument.shortName, platform: try platform.value())
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
