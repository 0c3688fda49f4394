import HoistContent
import HoistOCI

/// How a blob came to be in the target repository.
public enum BlobPushOutcome: Sendable, Equatable {
    case existed
    case mounted
    case uploaded(bytes: Int64)
}

extension RegistryClient {
    /// Makes `descriptor`'s blob present in `endpoint`: HEAD ▸ mount from `mountFrom` (same
    /// registry) ▸ upload from the local store. Only the upload moves bytes. `knownAbsent` skips
    /// the HEAD, for a blob whose bytes are new by construction (uploading a blob the registry
    /// already has is allowed, and only costs its bytes).
    public func pushBlob(_ descriptor: Descriptor, to endpoint: Endpoint, mountFrom: Endpoint?, knownAbsent: Bool = false) async throws -> BlobPushOutcome {
        if !knownAbsent, try await blobExists(descriptor.digest, in: endpoint) {
            record(existing: descriptor.digest)
            return .existed
        }
        var uploadLocation: String?
        if let source = mountFrom, source.host == endpoint.host, source.repository != endpoint.repository {
            let response = try await send(.post, endpoint,
                                          "/v2/\(endpoint.repository)/blobs/uploads/?mount=\(descriptor.digest)&from=\(source.repository)",
                                          scopes: [RegistryClient.pushScope(endpoint), RegistryClient.pullScope(source)])
            if response.status == 201 {
                record(mounted: descriptor.digest)
                return .mounted
            }
            // 202: the registry declined the mount and opened an ordinary upload instead.
            if response.status == 202 { uploadLocation = response.header("location") }
        }
        guard let size = store.size(of: descriptor.digest) else {
            throw RegistryError.badResponse(endpoint: endpoint, detail: "blob \(descriptor.digest) must be uploaded but is not in the local store")
        }
        let bytes = try await transfer(.upload, descriptor.digest, size: size) { _ in
            try await upload(descriptor.digest, size: size, to: endpoint, location: uploadLocation)
        }
        record(upload: descriptor.digest, bytes: bytes)
        return .uploaded(bytes: bytes)
    }

    public func blobExists(_ digest: Digest, in endpoint: Endpoint) async throws -> Bool {
        try await storedBlobSize(digest, in: endpoint) != nil
    }

    /// The size in bytes the repository reports for the blob (HEAD's Content-Length), nil if it
    /// does not have it; -1 when it has it but gives no length.
    func storedBlobSize(_ digest: Digest, in endpoint: Endpoint) async throws -> Int64? {
        let response = try await send(.head, endpoint, "/v2/\(endpoint.repository)/blobs/\(digest)",
                                      scopes: [RegistryClient.pushScope(endpoint)])
        guard response.status == 200 else { return nil }
        return response.header("content-length").flatMap { Int64($0) } ?? -1
    }

    /// Uploads from the store: one PUT below the host's chunk threshold, PATCH chunks above it;
    /// returns the bytes sent. A session the registry lost (404/400) is started over once. When
    /// the answer to the final PUT never arrives, the PUT may still have stored the blob and ended
    /// the session, so it is not sent again there: a HEAD tells whether the blob is in place with
    /// its size (then the upload is done), and otherwise a new session (POST) starts.
    func upload(_ digest: Digest, size: Int64, to endpoint: Endpoint, location: String?) async throws -> Int64 {
        var location = location
        var lostAnswers = 0
        var lostSessions = 0
        while true {
            do {
                let start = try await uploadSession(endpoint, given: location)
                return size > chunking.threshold(for: endpoint.host)
                    ? try await uploadChunked(digest, size: size, to: endpoint, location: start)
                    : try await uploadMonolithic(digest, size: size, to: endpoint, location: start)
            } catch let error as RegistryError {
                switch error {
                case .unreachable:
                    if try await storedBlobSize(digest, in: endpoint) == size { return size }
                    lostAnswers += 1
                    guard lostAnswers <= retry.attempts else { throw error }
                case let .server(_, status, _, _, _) where status == 404 || status == 400:
                    lostSessions += 1
                    guard lostSessions == 1 else { throw error }
                default:
                    throw error
                }
                location = nil
            }
        }
    }

    /// The absolute URL of an upload session: the one the registry already opened, or a new one.
    func uploadSession(_ endpoint: Endpoint, given: String?) async throws -> String {
        var location = given
        if location == nil {
            let response = try await send(.post, endpoint, "/v2/\(endpoint.repository)/blobs/uploads/", scopes: [RegistryClient.pushScope(endpoint)],
                                          action: "starting an upload")
            guard response.status == 202, let l = response.header("location") else {
                throw RegistryClient.failure(response, endpoint, action: "starting an upload")
            }
            location = l
        }
        return try await absolute(location!, endpoint)
    }

    func absolute(_ location: String, _ endpoint: Endpoint) async throws -> String {
        location.hasPrefix("/") ? try await baseURL(endpoint) + location : location
    }

    static func withDigest(_ url: String, _ digest: Digest) -> String {
        url + (url.contains("?") ? "&" : "?") + "digest=\(digest)"
    }

    /// POST (done) ▸ PUT all the bytes with `?digest=`.
    func uploadMonolithic(_ digest: Digest, size: Int64, to endpoint: Endpoint, location: String) async throws -> Int64 {
        let response = try await send(.put, endpoint, RegistryClient.withDigest(location, digest), headers: [("Content-Type", "application/octet-stream")],
                                      body: .file(path: store.path(for: digest), size: size), scopes: [RegistryClient.pushScope(endpoint)],
                                      resendWhenUnanswered: false, action: "uploading blob \(digest)")
        guard response.status == 201 else { throw RegistryClient.failure(response, endpoint, action: "uploading blob \(digest)") }
        return response.bytesUploaded
    }

    /// PATCH chunks with `Content-Range`, following each new `Location`; after a failed chunk the
    /// registry is asked how much it has (`Range: 0-N`) and the upload goes on from there; the final
    /// PUT carries only the digest.
    func uploadChunked(_ digest: Digest, size: Int64, to endpoint: Endpoint, location start: String) async throws -> Int64 {
        let scopes = [RegistryClient.pushScope(endpoint)]
        let chunk = chunking.chunkSize
        var location = start
        var offset: Int64 = 0
        var sent: Int64 = 0
        var recoveries = 0
        while offset < size {
            let n = min(chunk, size - offset)
            let response = try await send(.patch, endpoint, location,
                                          headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(offset + n - 1)")],
                                          body: .file(path: store.path(for: digest), offset: offset, size: n), scopes: scopes,
                                          action: "uploading a chunk of blob \(digest)")
            if response.status == 202 {
                location = try await absolute(response.header("location") ?? location, endpoint)
                offset += n
                sent += response.bytesUploaded
                continue
            }
            recoveries += 1
            guard recoveries <= retry.attempts else { throw RegistryClient.failure(response, endpoint, action: "uploading blob \(digest) in chunks") }
            offset = try await uploadedSoFar(location, endpoint)
        }
        let response = try await send(.put, endpoint, RegistryClient.withDigest(location, digest), scopes: scopes,
                                      resendWhenUnanswered: false, action: "finishing the upload of blob \(digest)")
        guard response.status == 201 else { throw RegistryClient.failure(response, endpoint, action: "finishing the upload of blob \(digest)") }
        return sent
    }

    /// How many bytes an upload session holds, from the registry's `Range: 0-N`.
    func uploadedSoFar(_ location: String, _ endpoint: Endpoint) async throws -> Int64 {
        let response = try await send(.get, endpoint, location, scopes: [RegistryClient.pushScope(endpoint)], action: "checking an upload")
        guard response.status == 204 || response.status == 202 else {
            throw RegistryClient.failure(response, endpoint, action: "checking an upload")
        }
        guard let range = response.header("range"), let end = range.split(separator: "-").last.flatMap({ Int64($0) }) else { return 0 }
        return end + 1
    }
}

/// When uploads go in chunks: above `threshold` bytes (per host if given), `chunkSize` at a time.
public struct ChunkingPolicy: Sendable {
    public var defaultThreshold: Int64 = 256 << 20
    public var thresholds: [String: Int64] = [:]
    public var chunkSize: Int64 = 32 << 20

    public init(defaultThreshold: Int64 = 256 << 20, thresholds: [String: Int64] = [:], chunkSize: Int64 = 32 << 20) {
        self.defaultThreshold = defaultThreshold
        self.thresholds = thresholds
        self.chunkSize = chunkSize
    }

    func threshold(for host: String) -> Int64 { thresholds[host] ?? defaultThreshold }
}

extension RegistryClient {
    /// Copies a blob from one registry to another without landing on disk: the download feeds the
    /// upload as it arrives, hashed on the way; a digest or size mismatch aborts the upload, and the
    /// registry checks `?digest=` too, so nothing corrupt is ever committed.
    public func streamBlob(_ descriptor: Descriptor, from source: Endpoint, to target: Endpoint) async throws -> BlobPushOutcome {
        let location = try await uploadSession(target, given: nil)
        let stream = BlobStream()
        let url = RegistryClient.withDigest(location, descriptor.digest)
        async let upload = send(.put, target, url, headers: [("Content-Type", "application/octet-stream")],
                                body: .stream(stream, size: descriptor.size), scopes: [RegistryClient.pushScope(target)],
                                action: "uploading blob \(descriptor.digest)")
        do {
            let download = try await send(.get, source, "/v2/\(source.repository)/blobs/\(descriptor.digest)", scopes: [RegistryClient.pullScope(source)],
                                          sink: stream, followRedirects: true, action: "downloading blob \(descriptor.digest)")
            guard download.status == 200 else {
                stream.fail()
                _ = try? await upload
                throw RegistryClient.failure(download, source, action: "downloading blob \(descriptor.digest)")
            }
            guard stream.finish(expected: descriptor.digest, size: descriptor.size) else {
                _ = try? await upload
                throw RegistryError.badResponse(endpoint: source, detail: "blob \(descriptor.digest) arrived with other bytes than its digest names; nothing was committed")
            }
            record(download: descriptor.digest, bytes: download.bytesDownloaded)
        } catch {
            stream.fail()
            _ = try? await upload
            throw error
        }
        let response = try await upload
        guard response.status == 201 else { throw RegistryClient.failure(response, target, action: "uploading blob \(descriptor.digest)") }
        record(upload: descriptor.digest, bytes: response.bytesUploaded)
        return .uploaded(bytes: response.bytesUploaded)
    }
}
