import Foundation
import HoistOCI

extension RegistryClient {
    /// Makes a pushed manifest that has a `subject` findable from that subject, per
    /// distribution-spec 1.1: a registry with the referrers API (`GET /v2/NAME/referrers/DIGEST`
    /// answers 200) indexes it by itself; on one without, the tag fallback is kept up to date: the
    /// index tagged `sha256-<subject hex>` lists it (read, added to if absent, put back).
    /// `referrer` is the manifest's descriptor with its `artifactType` (and annotations). Throws
    /// `RegistryError` when the registry refuses.
    public func attachReferrer(_ referrer: Descriptor, subject: Digest, in endpoint: Endpoint) async throws {
        if try await referrersFromAPI(of: subject, in: endpoint) != nil { return }
        var index = Index(mediaType: .ociIndex, manifests: [])
        // Only "no such tag" starts a new list: after any other failure, putting a list of one
        // would erase what other tools attached (signatures, SBOMs).
        if let existing = try await fallbackList(of: subject, in: endpoint) {
            guard existing.mediaType.isIndex else {
                throw RegistryError.badResponse(endpoint: endpoint,
                                                detail: "the referrers tag \(Self.fallbackTag(subject)) names a \(existing.mediaType), not an index; left as it is")
            }
            index = try CanonicalJSON.decode(Index.self, from: existing.bytes)
        }
        guard !index.manifests.contains(where: { $0.digest == referrer.digest }) else { return }
        index.manifests.append(referrer)
        _ = try await putManifest(try CanonicalJSON.encode(index), mediaType: .ociIndex, to: endpoint, tag: Self.fallbackTag(subject))
    }

    /// The manifests that name `subject`, from the referrers API or else its tag fallback; [] when there are none.
    public func referrers(of subject: Digest, in endpoint: Endpoint) async throws -> [Descriptor] {
        if let listed = try await referrersFromAPI(of: subject, in: endpoint) { return listed }
        guard let fallback = try await fallbackList(of: subject, in: endpoint), fallback.mediaType.isIndex else { return [] }
        return try CanonicalJSON.decode(Index.self, from: fallback.bytes).manifests
    }

    /// The referrers API's answer, or nil when the registry has no such API.
    private func referrersFromAPI(of subject: Digest, in endpoint: Endpoint) async throws -> [Descriptor]? {
        let api = try await send(.get, endpoint, "/v2/\(endpoint.repository)/referrers/\(subject)",
                                 headers: [("Accept", MediaType.ociIndex.rawValue)], scopes: [RegistryClient.pullScope(endpoint)],
                                 action: "listing referrers")
        guard api.status == 200, (api.header("content-type") ?? "").hasPrefix(MediaType.ociIndex.rawValue) else { return nil }
        return try CanonicalJSON.decode(Index.self, from: api.body).manifests
    }

    /// What the fallback tag names, or nil when there is no such tag (any other failure is thrown).
    private func fallbackList(of subject: Digest, in endpoint: Endpoint) async throws -> FetchedManifest? {
        do {
            return try await manifest(endpoint, reference: Self.fallbackTag(subject))
        } catch RegistryError.notFound {
            return nil
        }
    }

    /// distribution-spec's tag schema for the fallback: `<alg>-<hex>`.
    static func fallbackTag(_ subject: Digest) -> String { "\(subject.algorithm)-\(subject.encoded)" }
}
