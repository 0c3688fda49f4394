import Foundation
import HoistOCI
import HoistRegistry

/// An image read from a local OCI image layout (`oci-layout://PATH[:TAG]`): manifest and config
/// checked against their digests, layers left in the layout until something needs their bytes.
enum OCILayoutImage {
    static func state(path: String, reference: String?, platform: Platform, name: String) throws -> StageState {
        func blob(_ digest: Digest) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: "\(path)/blobs/\(digest.algorithm)/\(digest.encoded)") else {
                throw BuildError.context("--build-context \(name): blob \(digest) is missing from \(path)")
            }
            let bytes = Array(data)
            guard Digest.sha256(of: bytes) == digest else {
                throw BuildError.context("--build-context \(name): \(path): blob \(digest) does not match its digest")
            }
            return bytes
        }
        // index.json is the layout's entry point, not a blob: there is no digest to check it against.
        guard let indexData = FileManager.default.contents(atPath: path + "/index.json") else {
            throw BuildError.context("--build-context \(name): \(path)/index.json cannot be read")
        }
        let index = try CanonicalJSON.decode(Index.self, from: Array(indexData))
        let candidates = index.manifests.filter { descriptor in
            guard let reference else { return true }
            return descriptor.digest.description == reference || descriptor.annotations?["org.opencontainers.image.ref.name"] == reference
        }
        guard var chosen = candidates.first, reference != nil || candidates.count == 1 else {
            let tags = index.manifests.compactMap { $0.annotations?["org.opencontainers.image.ref.name"] }
            throw BuildError.context("--build-context \(name): \(path) holds \(index.manifests.count) images; name one with :TAG (tags: \(tags.joined(separator: ", ")))")
        }
        if chosen.mediaType.isIndex {
            let nested = try CanonicalJSON.decode(Index.self, from: try blob(chosen.digest))
            guard let match = nested.manifest(for: platform) else {
                throw BuildError.context("--build-context \(name): \(path) has no image for \(platform)")
            }
            chosen = match
        }
        let manifest = try CanonicalJSON.decode(Manifest.self, from: try blob(chosen.digest))
        let config = try CanonicalJSON.decode(ImageConfig.self, from: try blob(manifest.config.digest))
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw BuildError.context("--build-context \(name): \(path): the config's diff_ids do not match the manifest's layers")
        }
        let layers = zip(manifest.layers, config.rootfs.diffIDs).map {
            LayerRef(descriptor: $0, diffID: $1, source: .file("\(path)/blobs/\($0.digest.algorithm)/\($0.digest.encoded)"))
        }
        return StageState(config: config, layers: layers)
    }
}
