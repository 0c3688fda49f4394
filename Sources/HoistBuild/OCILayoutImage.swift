import Foundation
import HoistContent
import HoistOCI
import HoistRegistry

/// An image read from a local OCI image layout (`oci-layout://PATH[:TAG|@DIGEST]`) for a stage:
/// manifest and config checked against their digests, layers left in the layout until needed.
enum OCILayoutImage {
    static func state(path: String, reference: String?, platform: Platform, name: String) throws -> StageState {
        let layout = OCILayout(path: path)
        do {
            var chosen = try layout.select(reference)
            if chosen.mediaType.isIndex {
                let nested = try CanonicalJSON.decode(Index.self, from: try layout.verifiedBlob(chosen.digest))
                guard let match = nested.manifest(for: platform) else {
                    throw BuildError.context("--build-context \(name): \(path) has no image for \(platform)")
                }
                chosen = match
            }
            let manifest = try CanonicalJSON.decode(Manifest.self, from: try layout.verifiedBlob(chosen.digest))
            let config = try CanonicalJSON.decode(ImageConfig.self, from: try layout.verifiedBlob(manifest.config.digest))
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw BuildError.context("--build-context \(name): \(path): the config's diff_ids do not match the manifest's layers")
            }
            let layers = zip(manifest.layers, config.rootfs.diffIDs).map {
                LayerRef(descriptor: $0, diffID: $1, source: .file(layout.blobPath($0.digest)))
            }
            return StageState(config: config, layers: layers)
        } catch let error as OCILayoutError {
            throw BuildError.context("--build-context \(name): \(error)")
        }
    }
}
