import Foundation
import HoistContent
import HoistOCI

extension BlobWriter: BodySink {
    /// A 200 while bytes are already here means the registry ignored the Range: start over.
    public func begin(status: Int) throws {
        if status == 200, count > 0 { try restart() }
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) throws { try write(bytes) }
}

/// One body into two sinks: a stream's reader and the store.
private final class Tee: BodySink, @unchecked Sendable {
    let first: BodySink, second: BodySink
    init(_ first: BodySink, _ second: BodySink) { (self.first, self.second) = (first, second) }
    func begin(status: Int) throws { try first.begin(status: status); try second.begin(status: status) }
    func receive(_ bytes: UnsafeRawBufferPointer) throws { try first.receive(bytes); try second.receive(bytes) }
}

extension BlobStream: BodySink {
    /// A stream has no place to resume from: only a whole body will do.
    public func begin(status: Int) throws {
        guard status == 200 else { throw TransportError.failed(url: "blob stream", message: "expected the whole blob, got HTTP \(status)") }
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) throws { try write(bytes) }
}

extension RegistryClient {
    /// Makes sure `descriptor`'s blob is in the local store, downloading it from `endpoint` if not.
    /// The bytes are hashed as they arrive; a dropped connection resumes with `Range` where it
    /// stopped; bytes that do not match the digest are thrown away and fetched once more; only a
    /// blob matching digest and size is ever kept. The descriptor, not the transport, says when the
    /// blob is complete: a connection that closes short of a longer declared length once the
    /// descriptor's bytes are here is done (they are verified), a resume never asks past the
    /// descriptor's size, and a 416 to a resume means "verify what you have", then start over.
    /// Concurrent asks for one blob (parallel stages on one base) share a single download.
    public func fetchBlob(_ descriptor: Descriptor, from endpoint: Endpoint) async throws {
        if store.contains(descriptor.digest) { return }
        try await blobsInFlight.value(for: descriptor.digest) {
            _ = try await self.download(descriptor, from: endpoint) { writer, source in
                try writer.commit(expected: descriptor.digest, size: descriptor.size, source: source).description
            }
        }
    }

    /// Waits for every download still going, including those nobody waits for any more (they stop
    /// at libcurl's next progress call and remove their partial files): a build that failed calls
    /// this before returning, so the process leaves nothing in `ingest/`.
    public func settle() async {
        await blobsInFlight.settle()
        await streamsInFlight.settle()
    }

    /// The blob, verified, in a temp file that the caller deletes: for bytes read once (a base
    /// layer's headers, for its index), where storing would cost an fsync and disk for nothing.
    public func fetchBlobToTemporaryFile(_ descriptor: Descriptor, from endpoint: Endpoint) async throws -> String {
        try await download(descriptor, from: endpoint) { writer, source in
            try writer.verifiedTemporaryFile(expected: descriptor.digest, size: descriptor.size, source: source)
        }
    }

    /// Starts downloading the blob into `stream` and returns at once, for a reader that wants its
    /// bytes once and now (a base layer's headers for its index, or a layer to unpack): nothing
    /// lands on disk unless `storing`, and the reader sees the end only once the bytes match the
    /// digest. With `storing`, the same bytes also go into the store (verified there too), for
    /// outputs that will need the blob. One attempt, with no resume: any failure fails the stream,
    /// saying why (`downloadFailed`), nothing is stored, and the reader falls back to
    /// `fetchBlobToTemporaryFile` or `fetchBlob`, which resume and retry. A reader that stops the
    /// stream stops the download too; `settle()` waits for it to end.
    public nonisolated func startDownload(_ descriptor: Descriptor, from endpoint: Endpoint, into stream: BlobStream, storing: Bool = false) {
        let id = UUID()
        let task = Task {
            try? await streamsInFlight.value(for: id) { await self.download(descriptor, from: endpoint, into: stream, storing: storing) }
        }
        stream.onStop { task.cancel() }
    }

    private func download(_ descriptor: Descriptor, from endpoint: Endpoint, into stream: BlobStream, storing: Bool) async {
        let action = "downloading blob \(descriptor.digest)"
        var writer: BlobWriter?
        do {
            try await transfer(.download, descriptor.digest, size: descriptor.size) { meter in
                // Made inside the transfer window, so a download still waiting for its turn leaves no file.
                writer = storing && !store.contains(descriptor.digest) ? try store.writer() : nil
                let target: BodySink = writer.map { Tee(stream, $0) } ?? stream
                let sink: BodySink = meter.map { MeteredSink(target, event: TransferEvent(direction: .download, digest: descriptor.digest,
                                                                                          total: descriptor.size, current: 0, done: false), update: $0) } ?? target
                let response = try await send(.get, endpoint, "/v2/\(endpoint.repository)/blobs/\(descriptor.digest)",
                                              scopes: [RegistryClient.pullScope(endpoint)], sink: sink, followRedirects: true, action: action)
                guard response.status == 200 else { throw RegistryClient.failure(response, endpoint, action: action) }
                record(download: descriptor.digest, bytes: response.bytesDownloaded)
            }
            // Stored before the reader sees the end, so whoever the reader tells finds the blob.
            if let writer { _ = try writer.commit(expected: descriptor.digest, size: descriptor.size, source: "\(endpoint)@\(descriptor.digest)") }
            _ = stream.finish(expected: descriptor.digest, size: descriptor.size)
        } catch {
            writer?.abort()
            stream.fail("\(error)")
        }
    }

    /// One download, inside the transfer window, reported to the transfer observer.
    private func download(_ descriptor: Descriptor, from endpoint: Endpoint,
                          finish: (BlobWriter, String) throws -> String) async throws -> String {
        try await transfer(.download, descriptor.digest, size: descriptor.size) { meter in
            try await downloadNow(descriptor, from: endpoint, meter: meter, finish: finish)
        }
    }

    /// Runs one blob transfer inside the transfer window and tells the observer about it: its
    /// start, then its end only when `body` succeeded (a failed one ends with its vertex).
    /// `body` gets where to report bytes as they move, if anyone listens.
    func transfer<T>(_ direction: TransferEvent.Direction, _ digest: Digest, size: Int64,
                     _ body: ((@Sendable (TransferEvent) -> Void)?) async throws -> T) async throws -> T {
        try await transfers.run {
            var event = TransferEvent(direction: direction, digest: digest, total: size, current: 0, done: false)
            let meter = observer?(event)
            let value = try await body(meter)
            event.current = size
            event.done = true
            meter?(event)
            return value
        }
    }

    private func downloadNow(_ descriptor: Descriptor, from endpoint: Endpoint, meter: (@Sendable (TransferEvent) -> Void)?,
                             finish: (BlobWriter, String) throws -> String) async throws -> String {
        let source = "\(endpoint)@\(descriptor.digest)"
        var mismatches = 0
        while true {
            let writer = try store.writer()
            var attempt = 0
            while true {
                attempt += 1
                let resumeFrom = writer.count
                if resumeFrom >= descriptor.size, resumeFrom > 0 { break }
                do {
                    let response = try await send(.get, endpoint, "/v2/\(endpoint.repository)/blobs/\(descriptor.digest)",
                                                  headers: resumeFrom > 0 ? [("Range", "bytes=\(resumeFrom)-")] : [],
                                                  scopes: [RegistryClient.pullScope(endpoint)],
                                                  sink: meter.map { MeteredSink(writer, event: TransferEvent(direction: .download, digest: descriptor.digest,
                                                                                                            total: descriptor.size, current: resumeFrom, done: false),
                                                                                update: $0) } ?? writer,
                                                  followRedirects: true,
                                                  action: "downloading blob \(descriptor.digest)")
                    if response.status == 416, resumeFrom > 0 { break }
                    guard response.status == 200 || response.status == 206 else {
                        writer.abort()
                        if response.status == 404 {
                            throw RegistryError.server(endpoint: endpoint, status: 404, code: "BLOB_UNKNOWN", message: "blob \(descriptor.digest) is missing", action: "downloading a blob")
                        }
                        throw RegistryClient.failure(response, endpoint, action: "downloading blob \(descriptor.digest)")
                    }
                    record(download: descriptor.digest, bytes: response.bytesDownloaded)
                    break
                } catch is CancellationError {
                    writer.abort()
                    throw CancellationError()
                } catch let error as RegistryError {
                    // Only a transfer cut off part way is resumed; anything else is final.
                    if case .unreachable = error, writer.count >= descriptor.size { break }
                    guard case .unreachable = error, let wait = retry.delay(after: attempt, retryAfter: nil) else {
                        writer.abort()
                        throw error
                    }
                    try await Task.sleep(for: .seconds(wait))
                }
            }
            do {
                return try finish(writer, source)
            } catch let error as ContentError {
                mismatches += 1
                if mismatches < 2 { continue }
                switch error {
                case let .digestMismatch(expected, actual, source): throw RegistryError.digestMismatch(source: source, expected: expected, actual: actual)
                default: throw error
                }
            }
        }
    }
}
