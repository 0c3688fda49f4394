import HoistContent
import HoistOCI

extension BlobWriter: BodySink {
    public func receive(_ bytes: UnsafeRawBufferPointer) throws { try write(bytes) }
}

extension RegistryClient {
    /// Makes sure `descriptor`'s blob is in the local store, downloading it from `endpoint` if not.
    /// The bytes are hashed as they arrive and only a blob matching digest and size is kept.
    public func fetchBlob(_ descriptor: Descriptor, from endpoint: Endpoint) async throws {
        if store.contains(descriptor.digest) { return }
        let writer = try store.writer()
        let response = try await send(.get, endpoint, "/v2/\(endpoint.repository)/blobs/\(descriptor.digest)",
                                      scopes: [RegistryClient.pullScope(endpoint)], sink: writer, followRedirects: true)
        guard response.status == 200 else {
            writer.abort()
            if response.status == 404 {
                throw RegistryError.server(endpoint: endpoint, status: 404, code: "BLOB_UNKNOWN", message: "blob \(descriptor.digest) is missing", action: "downloading a blob")
            }
            throw RegistryClient.failure(response, endpoint, action: "downloading blob \(descriptor.digest)")
        }
        record(download: descriptor.digest, bytes: writer.count)
        do {
            _ = try writer.commit(expected: descriptor.digest, size: descriptor.size, source: "\(endpoint)@\(descriptor.digest)")
        } catch let error as ContentError {
            if case let .digestMismatch(expected, actual, source) = error {
                throw RegistryError.digestMismatch(source: source, expected: expected, actual: actual)
            }
            throw error
        }
    }
}
