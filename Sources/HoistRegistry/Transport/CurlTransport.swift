import CCurl
import HoistContent
import Foundation

/// The only file that touches libcurl. Every transfer runs `curl_easy_perform` on a thread of its
/// own, so a slow registry never blocks Swift's cooperative pool (2 threads on 2 cores).
public final class CurlTransport: HTTPTransport {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init() {
        _ = CurlTransport.globalInit
    }

    /// Cancelling the task aborts the transfer (from libcurl's progress callback, within about a
    /// second) and throws `CancellationError`.
    public func perform(_ request: HTTPRequest, sink: BodySink?) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let stop = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(with: Result { try CurlTransport.performBlocking(request, sink: sink, stop: stop) })
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
    }

    /// Set when the asking task is cancelled; read by libcurl's progress callback.
    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        func set() { lock.withLock { stopped = true } }
        var isSet: Bool { lock.withLock { stopped } }
    }

    /// State shared with libcurl's callbacks through an `Unmanaged` pointer.
    private final class Exchange {
        let handle: OpaquePointer
        let sink: BodySink?
        var stop: StopFlag?
        var headers: [String: [String]] = [:]
        var body: [UInt8] = []
        var sinkError: Error?
        var sinkStarted = false
        var upload: [UInt8] = []
        var uploadOffset = 0
        var uploadFile: Int32 = -1
        var uploadRemaining: Int64 = 0
        var uploadStream: BlobStream?

        init(handle: OpaquePointer, sink: BodySink?) {
            self.handle = handle
            self.sink = sink
        }
    }

    static func performBlocking(_ request: HTTPRequest, sink: BodySink?, stop: StopFlag? = nil) throws -> HTTPResponse {
        guard let handle = curl_easy_init() else { throw TransportError.failed(url: request.url, message: "libcurl could not start a transfer") }
        defer { curl_easy_cleanup(handle) }
        let exchange = Exchange(handle: handle, sink: sink)
        exchange.stop = stop
        let userdata = Unmanaged.passUnretained(exchange).toOpaque()
        defer { if exchange.uploadFile >= 0 { close(exchange.uploadFile) } }

        hoist_curl_set_string(handle, CURLOPT_URL, request.url)
        hoist_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        hoist_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 15)
        // Abort a transfer that delivers less than 1 byte/s for 60 s rather than hang forever.
        hoist_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        hoist_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, 60)
        hoist_curl_set_string(handle, CURLOPT_USERAGENT, "hoist/0.1")
        hoist_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "identity")
        if sink != nil {
            // A body goes to its sink (a hasher, a file, an inflater) in 512 KiB pieces, not 16 KiB:
            // a 64 MB layer is then 128 calls instead of 4,000.
            hoist_curl_set_long(handle, CURLOPT_BUFFERSIZE, 512 << 10)
        }
        if !request.tls.verify {
            hoist_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            hoist_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let bundle = request.tls.caBundle { hoist_curl_set_string(handle, CURLOPT_CAINFO, bundle) }
        if let certificate = request.tls.clientCertificate { hoist_curl_set_string(handle, CURLOPT_SSLCERT, certificate) }
        if let key = request.tls.clientKey { hoist_curl_set_string(handle, CURLOPT_SSLKEY, key) }
        if request.followRedirects {
            // libcurl does not forward the Authorization header to another host on a redirect.
            hoist_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            hoist_curl_set_long(handle, CURLOPT_MAXREDIRS, 10)
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers + [("Expect", "")] {
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(list) }
        hoist_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)

        switch request.method {
        case .get: break
        case .head: hoist_curl_set_long(handle, CURLOPT_NOBODY, 1)
        case .post:
            hoist_curl_set_long(handle, CURLOPT_POST, 1)
        case .put, .patch:
            hoist_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            if request.method == .patch { hoist_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, "PATCH") }
        }
        var uploadSize: Int64 = 0
        switch request.body {
        case .none: break
        case let .bytes(b):
            exchange.upload = b
            uploadSize = Int64(b.count)
        case let .file(path, offset, size):
            exchange.uploadFile = open(path, O_RDONLY | O_CLOEXEC)
            guard exchange.uploadFile >= 0, lseek(exchange.uploadFile, off_t(offset), SEEK_SET) == off_t(offset) else {
                throw TransportError.failed(url: request.url, message: "cannot open \(path) for upload")
            }
            exchange.uploadRemaining = size
            uploadSize = size
        case let .stream(stream, size):
            exchange.uploadStream = stream
            uploadSize = size
        }
        if request.method == .post {
            hoist_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(uploadSize))
        } else if request.method == .put || request.method == .patch {
            hoist_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(uploadSize))
        }
        if request.method != .get, request.method != .head {
            hoist_curl_set_data_fn(handle, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
                let exchange = Unmanaged<Exchange>.fromOpaque(userdata!).takeUnretainedValue()
                let capacity = size * count
                if let stream = exchange.uploadStream {
                    let n = stream.read(into: UnsafeMutableRawPointer(buffer!), capacity: capacity)
                    return n < 0 ? Int(CURL_READFUNC_ABORT) : n
                }
                if exchange.uploadFile >= 0 {
                    let n = read(exchange.uploadFile, buffer, Int(min(Int64(capacity), exchange.uploadRemaining)))
                    if n < 0 { return Int(CURL_READFUNC_ABORT) }
                    exchange.uploadRemaining -= Int64(n)
                    return n
                }
                let n = min(capacity, exchange.upload.count - exchange.uploadOffset)
                exchange.upload.withUnsafeBytes { src in
                    UnsafeMutableRawPointer(buffer!).copyMemory(from: src.baseAddress! + exchange.uploadOffset, byteCount: n)
                }
                exchange.uploadOffset += n
                return n
            }
            hoist_curl_set_pointer(handle, CURLOPT_READDATA, userdata)
        }
        hoist_curl_set_data_fn(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
            let exchange = Unmanaged<Exchange>.fromOpaque(userdata!).takeUnretainedValue()
            let n = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                exchange.headers = [:]  // a new response (after a redirect or 100 Continue) starts over
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                exchange.headers[name, default: []].append(value)
            }
            return n
        }
        hoist_curl_set_pointer(handle, CURLOPT_HEADERDATA, userdata)
        hoist_curl_set_data_fn(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
            let exchange = Unmanaged<Exchange>.fromOpaque(userdata!).takeUnretainedValue()
            let n = size * count
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            let status = hoist_curl_response_code(exchange.handle)
            if let sink = exchange.sink, (200..<300).contains(status) {
                do {
                    if !exchange.sinkStarted {
                        exchange.sinkStarted = true
                        try sink.begin(status: status)
                    }
                    try sink.receive(bytes)
                } catch {
                    exchange.sinkError = error
                    return 0
                }
            } else if exchange.body.count < 8 << 20 {
                exchange.body.append(contentsOf: bytes)
            }
            return n
        }
        hoist_curl_set_pointer(handle, CURLOPT_WRITEDATA, userdata)
        if stop != nil {
            hoist_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
            hoist_curl_set_xferinfo_fn(handle) { userdata, _, _, _, _ in
                let exchange = Unmanaged<Exchange>.fromOpaque(userdata!).takeUnretainedValue()
                return exchange.stop?.isSet == true ? 1 : 0
            }
            hoist_curl_set_pointer(handle, CURLOPT_XFERINFODATA, userdata)
        }

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = withExtendedLifetime(exchange) {
            errorBuffer.withUnsafeMutableBufferPointer { buf -> CURLcode in
                hoist_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, buf.baseAddress)
                let code = curl_easy_perform(handle)
                // libcurl may still write errors (closing connections at cleanup): never into freed memory.
                hoist_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, nil)
                return code
            }
        }
        if let sinkError = exchange.sinkError { throw sinkError }
        if code == CURLE_ABORTED_BY_CALLBACK, stop?.isSet == true { throw CancellationError() }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw TransportError.failed(url: request.url, message: text)
        }
        return HTTPResponse(status: hoist_curl_response_code(handle), headers: exchange.headers, body: exchange.body,
                            bytesDownloaded: Int64(hoist_curl_bytes_down(handle)), bytesUploaded: Int64(hoist_curl_bytes_up(handle)))
    }
}

public enum TransportError: Error, CustomStringConvertible {
    case failed(url: String, message: String)

    public var description: String {
        switch self {
        case let .failed(url, message): "\(url): \(message)"
        }
    }
}
