import HoistContent

/// One HTTP exchange as the registry code describes it; only `CurlTransport` turns it into libcurl calls.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH" }

    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// `size` bytes of a file from `offset`, streamed from disk (a layer blob), never loaded whole.
        case file(path: String, offset: Int64 = 0, size: Int64)
        /// `size` bytes as another transfer delivers them; can be sent only once.
        case stream(BlobStream, size: Int64)

        var isReplayable: Bool { if case .stream = self { false } else { true } }
    }

    public var method: Method
    public var url: String
    public var headers: [(String, String)]
    public var body: Body
    public var tls: TLSOptions
    public var followRedirects: Bool

    public init(_ method: Method, _ url: String, headers: [(String, String)] = [], body: Body = .none, tls: TLSOptions = TLSOptions(),
                followRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.followRedirects = followRedirects
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; the last value wins except for repeated headers kept in `all`.
    public var headers: [String: [String]]
    /// The body, unless it was streamed to a sink.
    public var body: [UInt8]
    public var bytesDownloaded: Int64
    public var bytesUploaded: Int64

    public func header(_ name: String) -> String? { headers[name.lowercased()]?.last }
}

/// Receives a successful response's body as it arrives (e.g. a `BlobWriter`). Called on the
/// transfer thread; throwing aborts the transfer.
public protocol BodySink: AnyObject, Sendable {
    /// Called once, before the first bytes of a successful response, with its status
    /// (200 for a whole body, 206 for the rest of one asked for with Range).
    func begin(status: Int) throws
    func receive(_ bytes: UnsafeRawBufferPointer) throws
}

public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest, sink: BodySink?) async throws -> HTTPResponse
}

/// How to check the server (and prove ourselves) over HTTPS.
public struct TLSOptions: Sendable, Equatable {
    public var verify = true
    /// PEM bundle of the CAs to trust (the system's plus any from certs.d), or nil for the system's.
    public var caBundle: String?
    public var clientCertificate: String?
    public var clientKey: String?

    public init(verify: Bool = true, caBundle: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil) {
        self.verify = verify
        self.caBundle = caBundle
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}
