import Foundation
import HoistOCI

/// A manifest or index as the registry sent it, with the digest of exactly those bytes.
public struct FetchedManifest: Sendable {
    public var bytes: [UInt8]
    public var mediaType: MediaType
    public var digest: Digest

    public init(bytes: [UInt8], mediaType: MediaType, digest: Digest) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.digest = digest
    }
}

/// A single-platform image: manifest and config, without any layer bytes.
public struct ResolvedImage: Sendable {
    public var reference: Reference
    public var endpoint: Endpoint
    public var manifestDigest: Digest
    public var manifest: Manifest
    public var config: ImageConfig
}

extension RegistryClient {
    static let manifestLimit = 4 << 20

    /// GET a manifest or index by tag or digest, verified against the digest when pinned and
    /// against `Docker-Content-Digest` when the registry sends one.
    public func manifest(_ endpoint: Endpoint, reference: String) async throws -> FetchedManifest {
        let accept = MediaType.acceptedManifests.map(\.rawValue).joined(separator: ", ")
        let response = try await send(.get, endpoint, "/v2/\(endpoint.repository)/manifests/\(reference)",
                                      headers: [("Accept", accept)], scopes: [RegistryClient.pullScope(endpoint)])
        if response.status == 404 { throw RegistryError.notFound(endpoint: endpoint, reference: reference) }
        guard response.status == 200 else { throw RegistryClient.failure(response, endpoint, action: "fetching manifest \(reference)") }
        guard response.body.count <= RegistryClient.manifestLimit else {
            throw RegistryError.manifestTooLarge(endpoint: endpoint, reference: reference, size: response.body.count)
        }
        let digest = Digest.sha256(of: response.body)
        let source = "\(endpoint):\(reference)"
        if let pinned = try? Digest(parsing: reference), pinned.algorithm == "sha256", pinned != digest {
            throw RegistryError.digestMismatch(source: source, expected: pinned, actual: digest)
        }
        if let header = response.header("docker-content-digest"), let claimed = try? Digest(parsing: header),
           claimed.algorithm == "sha256", claimed != digest {
            throw RegistryError.digestMismatch(source: source, expected: claimed, actual: digest)
        }
        struct Probe: Decodable { var mediaType: String?; var schemaVersion: Int?; var manifests: [Descriptor]? }
        let probe = try? JSONDecoder().decode(Probe.self, from: Data(response.body))
        let contentType = response.header("content-type")?.split(separator: ";").first.map { String($0).trimmingBlanks() }
        var mediaType = MediaType(rawValue: probe?.mediaType ?? contentType ?? "")
        if probe?.schemaVersion == 1 || mediaType.isSchema1 { throw RegistryError.schema1(endpoint: endpoint, reference: reference) }
        if !(mediaType.isIndex || mediaType.isManifest) {
            // An OCI document may omit mediaType; its shape tells which it is.
            guard probe?.schemaVersion == 2 else {
                throw RegistryError.unsupportedMediaType(endpoint: endpoint, reference: reference, mediaType: mediaType.rawValue)
            }
            mediaType = probe?.manifests != nil ? .ociIndex : .ociManifest
        }
        return FetchedManifest(bytes: response.body, mediaType: mediaType, digest: digest)
    }

    /// Resolves `reference` to the image for `platform`: manifest and config only, trying each
    /// endpoint registries.conf gives (mirrors first) until one has it.
    public func resolve(_ reference: Reference, shortName: Bool, platform: Platform) async throws -> ResolvedImage {
        try await firstEndpoint(for: reference, shortName: shortName) { try await resolve(reference, at: $0, platform: platform) }
    }

    /// The manifest or index `reference` names as its registry sent it, and the endpoint that had
    /// it: each endpoint registries.conf gives is tried in order (mirrors first).
    public func manifest(for reference: Reference) async throws -> (FetchedManifest, Endpoint) {
        try await firstEndpoint(for: reference, shortName: false) { endpoint in
            (try await manifest(endpoint, reference: reference.withDefaultTag.manifestReference), endpoint)
        }
    }

    /// `fetch` from each endpoint of `reference` in turn until one has it; another endpoint is
    /// tried only after a 404 or an unreachable one, and the last such error is thrown.
    private func firstEndpoint<T>(for reference: Reference, shortName: Bool, _ fetch: (Endpoint) async throws -> T) async throws -> T {
        let endpoints = try resolver.pullEndpoints(for: reference, shortName: shortName)
        var lastError: Error = RegistryError.notFound(endpoint: endpoints[0], reference: reference.manifestReference)
        for endpoint in endpoints {
            do {
                return try await fetch(endpoint)
            } catch let error as RegistryError {
                switch error {
                case .notFound, .unreachable: lastError = error
                default: throw error
                }
            }
        }
        throw lastError
    }

    func resolve(_ reference: Reference, at endpoint: Endpoint, platform: Platform) async throws -> ResolvedImage {
        let tagOrDigest = reference.withDefaultTag.manifestReference
        var fetched = try await manifest(endpoint, reference: tagOrDigest)
        let chosenFromIndex = fetched.mediaType.isIndex
        if chosenFromIndex {
            let index = try CanonicalJSON.decode(Index.self, from: fetched.bytes)
            guard let chosen = index.manifest(for: platform) else {
                throw RegistryError.noMatchingPlatform(endpoint: endpoint, reference: tagOrDigest, wanted: platform,
                                                       offered: index.manifests.compactMap { $0.platform?.description })
            }
            fetched = try await manifest(endpoint, reference: chosen.digest.description)
            guard fetched.mediaType.isManifest else {
                throw RegistryError.unsupportedMediaType(endpoint: endpoint, reference: chosen.digest.description, mediaType: fetched.mediaType.rawValue)
            }
        }
        let manifest = try CanonicalJSON.decode(Manifest.self, from: fetched.bytes)
        try store.ingest(fetched.bytes, expected: fetched.digest, source: "\(endpoint)@\(fetched.digest)")
        try await fetchBlob(manifest.config, from: endpoint)
        let config = try CanonicalJSON.decode(ImageConfig.self, from: try store.read(manifest.config.digest))
        if !chosenFromIndex, !config.platform.matches(platform) {
            // A single-platform image for another platform: docker warns and uses it; so do we, but say so.
            warn("\(reference) is \(config.platform), not \(platform)")
        }
        return ResolvedImage(reference: reference, endpoint: endpoint, manifestDigest: fetched.digest, manifest: manifest, config: config)
    }

    /// Whether the repository holds the manifest `digest` (HEAD, with the push scope a push
    /// already asks for). A registry stores a manifest only once every blob it names is there
    /// (distribution-spec's push, "manifest blob unknown"), so a yes stands for those blobs too.
    /// Throws what the request throws; any answer but 200 is a no.
    public func manifestExists(_ digest: Digest, in endpoint: Endpoint) async throws -> Bool {
        let accept = MediaType.acceptedManifests.map(\.rawValue).joined(separator: ", ")
        let response = try await send(.head, endpoint, "/v2/\(endpoint.repository)/manifests/\(digest)",
                                      headers: [("Accept", accept)], scopes: [RegistryClient.pushScope(endpoint)])
        return response.status == 200
    }

    /// PUT a manifest under `tag` (or its digest). Called only after every blob it names is present.
    @discardableResult
    public func putManifest(_ bytes: [UInt8], mediaType: MediaType, to endpoint: Endpoint, tag: String?) async throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        let response = try await send(.put, endpoint, "/v2/\(endpoint.repository)/manifests/\(tag ?? digest.description)",
                                      headers: [("Content-Type", mediaType.rawValue)], body: .bytes(bytes),
                                      scopes: [RegistryClient.pushScope(endpoint)])
        guard response.status == 201 || response.status == 200 else {
            throw RegistryClient.failure(response, endpoint, action: "pushing the manifest")
        }
        return digest
    }
}

extension RegistryClient {
    /// The repository's tags (`GET /v2/NAME/tags/list`).
    public func tags(_ endpoint: Endpoint) async throws -> [String] {
        struct TagList: Decodable { var tags: [String]? }
        let response = try await send(.get, endpoint, "/v2/\(endpoint.repository)/tags/list", scopes: [RegistryClient.pullScope(endpoint)],
                                      action: "listing tags")
        guard response.status == 200 else { throw RegistryClient.failure(response, endpoint, action: "listing tags") }
        return (try? JSONDecoder().decode(TagList.self, from: Data(response.body)).tags) ?? []
    }
}
