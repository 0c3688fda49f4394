import ArgumentParser
import Foundation
import HoistBuild
import HoistContent
import HoistOCI
import HoistRegistry

/// `hoist pull REF`: the image for this platform into the local store, named in `$HOIST_ROOT/index.json`.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pull an image into the local store.")

    @OptionGroup var image: RemoteImageOptions

    func run() async throws {
        try await reportingFailure {
            let (client, argument, image) = try await image.resolve()
            let ref = argument.reference
            for layer in image.manifest.layers { try await client.fetchBlob(layer, from: image.endpoint) }
            let size = client.store.size(of: image.manifestDigest) ?? 0
            try LocalImages(root: client.store.root).record(ref.withDefaultTag, manifest: Descriptor(mediaType: image.manifest.mediaType ?? .ociManifest, digest: image.manifestDigest, size: size))
            let stats = await client.stats
            FileHandle.standardError.write(Data("pulled \(ref.withDefaultTag): \(image.manifest.layers.count) layers, downloaded \(stats.downloadedBytes) bytes\n".utf8))
            print(image.manifestDigest)
        }
    }
}
