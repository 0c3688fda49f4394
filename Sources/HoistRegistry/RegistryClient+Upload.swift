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
    /// registry) ▸ upload from the local store. Only the upload moves bytes.
    public func pushBlob(_ descriptor: Descriptor, to endpoint: Endpoint, mountFrom: Endpoint?) async throws -> BlobPushOutcome {
        if try await blobExists(descriptor.digest, in: endpoint) {
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
        let bytes = try await upload(descriptor.digest, size: size, to: endpoint, location: uploadLocation)
        record(upload: descriptor.digest, bytes: bytes)
        return .uploaded(bytes: bytes)
    }

    public func blobExists(_ digest: Digest, in endpoint: Endpoint) async throws -> Bool {
        let response = try await send(.head, endpoint, "/v2/\(endpoint.repository)/blobs/\(digest)",
                                      scopes: [RegistryClient.pushScope(endpoint)])
        return response.status == 200
    }

    /// Monolithic upload: POST to open a session, PUT the bytes with `?digest=`.
    func upload(_ digest: Digest, size: Int64, to endpoint: Endpoint, location: String?) async throws -> Int64 {
        var location = location
        let scopes = [RegistryClient.pushScope(endpoint)]
        if location == nil {
            let response = try await send(.post, endpoint, "/v2/\(endpoint.repository)/blobs/uploads/", scopes: scopes)
            guard response.status == 202, let l = response.header("location") else {
                throw RegistryClient.failure(response, endpoint, action: "starting an upload")
            }
            location = l
        }
        var url = location!
        if url.hasPrefix("/") { url = try await baseURL(endpoint) + url }
        url += (url.contains("?") ? "&" : "?") + "digest=\(digest)"
        let response = try await send(.put, endpoint, url, headers: [("Content-Type", "application/octet-stream")],
                                      body: .file(path: store.path(for: digest), size: size), scopes: scopes)
        guard response.status == 201 else {
            throw RegistryClient.failure(response, endpoint, action: "uploading blob \(digest)")
        }
        return response.bytesUploaded
    }
}
