import Foundation
import HoistOCI
import HoistRegistry

/// Reads back the attestations of an image in a registry, wherever they were put: in its index
/// as buildx's attestation manifests (`vnd.docker.reference.digest` names the image), or else as
/// OCI 1.1 referrers of each image manifest (the referrers API, or its tag fallback).
public enum AttestationReader {
    /// One platform's in-toto statements, each as its JSON bytes.
    public struct Attested: Sendable {
        public var platform: Platform
        public var statements: [[UInt8]]
    }

    /// The statements of every image under `top` (just one image if it is a manifest), or only the
    /// one for `platform` when given. Throws `RegistryError` when the registry cannot be read.
    public static func read(_ top: FetchedManifest, endpoint: Endpoint, registry: RegistryClient, platform: Platform?) async throws -> [Attested] {
        var images: [(Platform, Digest)] = []
        var inIndex: [Digest: [Digest]] = [:]
        if top.mediaType.isIndex {
            let index = try CanonicalJSON.decode(Index.self, from: top.bytes)
            for entry in index.manifests {
                if AttestationManifest.isAttestation(entry),
                   let text = entry.annotations?[AttestationManifest.referenceDigest], let subject = try? Digest(parsing: text) {
                    inIndex[subject, default: []].append(entry.digest)
                } else if let entryPlatform = entry.platform, entry.mediaType.isManifest, platform.map(entryPlatform.matches) ?? true {
                    images.append((entryPlatform, entry.digest))
                }
            }
        } else {
            let manifest = try CanonicalJSON.decode(Manifest.self, from: top.bytes)
            let config = try? CanonicalJSON.decode(ImageConfig.self, from: try await LayerRef(descriptor: manifest.config, diffID: manifest.config.digest,
                                                                                                     source: .remote(endpoint)).bytes(using: registry))
            images.append((config.map { Platform(os: $0.os, architecture: $0.architecture, variant: $0.variant) } ?? .host, top.digest))
        }
        var result: [Attested] = []
        for (imagePlatform, digest) in images {
            var manifests = inIndex[digest] ?? []
            if manifests.isEmpty {
                manifests = try await registry.referrers(of: digest, in: endpoint)
                    .filter { $0.artifactType == AttestationManifest.artifactType }.map(\.digest)
            }
            var statements: [[UInt8]] = []
            for attestation in manifests {
                let fetched = try await registry.manifest(endpoint, reference: attestation.description)
                let manifest = try CanonicalJSON.decode(Manifest.self, from: fetched.bytes)
                for layer in manifest.layers where layer.mediaType == AttestationManifest.layerMediaType {
                    statements.append(try await LayerRef(descriptor: layer, diffID: layer.digest, source: .remote(endpoint)).bytes(using: registry))
                }
            }
            result.append(Attested(platform: imagePlatform, statements: statements))
        }
        return result
    }
}
