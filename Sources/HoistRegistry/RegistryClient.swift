import Foundation
import HoistContent
import HoistOCI

/// Talks the OCI distribution protocol to every registry a build touches. An actor because the
/// scheme and token caches and the transfer counters are shared by concurrent transfers.
public actor RegistryClient {
    let transport: HTTPTransport
    public nonisolated let store: ContentStore
    public nonisolated let resolver: EndpointResolver
    /// `https` or `http` per host, learnt by pinging `/v2/`.
    var schemes: [String: String] = [:]
    var challenges: [String: Challenge] = [:]
    var tokens = TokenCache()
    /// Token requests in flight, so concurrent transfers that meet the same challenge ask once.
    var pendingTokens: [String: Task<Void, Error>] = [:]
    public private(set) var stats = TransferStats()

    public init(conf: RegistriesConf, store: ContentStore, transport: HTTPTransport = CurlTransport()) {
        self.transport = transport
        self.store = store
        resolver = EndpointResolver(conf: conf)
    }

    /// Sends one request to `endpoint`'s registry at `path` (which starts with `/v2/` or is an
    /// absolute upload URL), authenticating for `scopes` when the registry asks.
    func send(_ method: HTTPRequest.Method, _ endpoint: Endpoint, _ path: String, headers: [(String, String)] = [],
              body: HTTPRequest.Body = .none, scopes: [String], sink: BodySink? = nil, followRedirects: Bool = false) async throws -> HTTPResponse {
        let base = try await baseURL(endpoint)
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : base + path
        func attempt() async throws -> HTTPResponse {
            var all = headers
            if let token = tokens.token(host: endpoint.host, scopes: scopes) { all.append(("Authorization", "Bearer \(token)")) }
            let request = HTTPRequest(method, url, headers: all, body: body, verifyTLS: !endpoint.insecure, followRedirects: followRedirects)
            do {
                return try await transport.perform(request, sink: sink)
            } catch let error as TransportError {
                throw RegistryError.unreachable(host: endpoint.host, detail: "\(error)")
            }
        }
        var response = try await attempt()
        if response.status == 401 {
            let challenge = response.header("www-authenticate").flatMap(Challenge.init(header:)) ?? challenges[endpoint.host]
            guard let challenge, challenge.scheme == "bearer" else {
                throw RegistryError.unauthorized(endpoint: endpoint, detail: "the registry asks for credentials")
            }
            if tokens.token(host: endpoint.host, scopes: scopes) == nil {
                try await authenticateOnce(endpoint, challenge: challenge, scopes: scopes)
            }
            response = try await attempt()
            if response.status == 401 {
                throw RegistryError.unauthorized(endpoint: endpoint, detail: "the token for \(scopes.joined(separator: " ")) was refused")
            }
        }
        return response
    }

    /// `scheme://host`, found by pinging `/v2/`: HTTPS first; plain HTTP only for hosts that are
    /// insecure in registries.conf or on loopback, as docker does.
    func baseURL(_ endpoint: Endpoint) async throws -> String {
        if let scheme = schemes[endpoint.host] { return "\(scheme)://\(endpoint.host)" }
        let mayUseHTTP = endpoint.insecure || Endpoint.isLoopback(host: endpoint.host)
        var errors: [String] = []
        for scheme in mayUseHTTP ? ["https", "http"] : ["https"] {
            let request = HTTPRequest(.get, "\(scheme)://\(endpoint.host)/v2/", verifyTLS: !endpoint.insecure)
            do {
                let response = try await transport.perform(request, sink: nil)
                if let challenge = response.header("www-authenticate").flatMap(Challenge.init(header:)) {
                    challenges[endpoint.host] = challenge
                }
                schemes[endpoint.host] = scheme
                return "\(scheme)://\(endpoint.host)"
            } catch {
                errors.append("\(error)")
            }
        }
        throw RegistryError.unreachable(host: endpoint.host, detail: errors.joined(separator: "; then "))
    }

    /// Joins a token request already in flight for the same host and scopes, or starts one.
    func authenticateOnce(_ endpoint: Endpoint, challenge: Challenge, scopes: [String]) async throws {
        let key = TokenCache.key(host: endpoint.host, scopes: scopes)
        if let pending = pendingTokens[key] { return try await pending.value }
        let task = Task { try await self.authenticate(endpoint, challenge: challenge, scopes: scopes) }
        pendingTokens[key] = task
        defer { pendingTokens[key] = nil }
        try await task.value
    }

    /// Anonymous Bearer token for `scopes` from the challenge's realm.
    func authenticate(_ endpoint: Endpoint, challenge: Challenge, scopes: [String]) async throws {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.unauthorized(endpoint: endpoint, detail: "the registry's Bearer challenge has no realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items
        let url = components.string ?? realm
        let response: HTTPResponse
        do {
            response = try await transport.perform(HTTPRequest(.get, url, verifyTLS: !endpoint.insecure, followRedirects: true), sink: nil)
        } catch {
            throw RegistryError.unreachable(host: components.host ?? realm, detail: "token service: \(error)")
        }
        guard response.status == 200, let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body)),
              let token = decoded.token ?? decoded.accessToken else {
            throw RegistryError.unauthorized(endpoint: endpoint, detail: "the token service \(realm) answered HTTP \(response.status)")
        }
        tokens.store(token, host: endpoint.host, scopes: scopes, lifetime: TimeInterval(decoded.expiresIn ?? 60))
    }

    func record(download digest: Digest, bytes: Int64) { stats.downloaded[digest, default: 0] += bytes }
    func record(upload digest: Digest, bytes: Int64) { stats.uploaded[digest, default: 0] += bytes }
    func record(mounted digest: Digest) { stats.mounted.insert(digest) }
    func record(existing digest: Digest) { stats.existing.insert(digest) }

    static func pullScope(_ endpoint: Endpoint) -> String { "repository:\(endpoint.repository):pull" }
    static func pushScope(_ endpoint: Endpoint) -> String { "repository:\(endpoint.repository):pull,push" }

    /// Turns a non-success response into the error the person sees.
    static func failure(_ response: HTTPResponse, _ endpoint: Endpoint, action: String) -> RegistryError {
        let decoded = try? JSONDecoder().decode(DistributionErrors.self, from: Data(response.body))
        let first = decoded?.errors?.first
        return .server(endpoint: endpoint, status: response.status, code: first?.code, message: first?.message, action: action)
    }
}
