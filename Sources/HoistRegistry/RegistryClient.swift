import Foundation
import HoistContent
import HoistOCI

/// Talks the OCI distribution protocol to every registry a build touches. An actor because the
/// scheme, TLS and token caches and the transfer counters are shared by concurrent transfers.
public actor RegistryClient {
    let transport: HTTPTransport
    public nonisolated let store: ContentStore
    public nonisolated let resolver: EndpointResolver
    let credentialStore: CredentialStore
    let certificates: CertificateDirectories
    let retry: RetryPolicy
    let chunking: ChunkingPolicy
    /// Hosts named by `--insecure-registry`: plain HTTP and unverified TLS allowed.
    let insecureHosts: Set<String>
    /// `https` or `http` per host, learnt by pinging `/v2/`.
    var schemes: [String: String] = [:]
    var tlsOptions: [String: TLSOptions] = [:]
    var credentialCache: [String: Credentials?] = [:]
    /// Hosts that answered with a Basic challenge: credentials go with every request to them.
    var basicHosts: Set<String> = []
    var tokens = TokenCache()
    /// Token requests in flight, so concurrent transfers that meet the same challenge ask once.
    let pendingTokens = SharedTasks<String, Void>()
    /// `/v2/` pings in flight, by host.
    let pendingPings = SharedTasks<String, String>()
    public private(set) var stats = TransferStats()
    /// Blob downloads going on, so a second ask for the same blob waits for the first.
    let blobsInFlight = SharedTasks<Digest, Void>()
    /// Downloads read as they arrive (`startDownload`), each on its own: what `settle()` also waits for.
    let streamsInFlight = SharedTasks<UUID, Void>()
    /// At most this many blob transfers at once, whatever asks (stages, platforms, pushes).
    let transfers = ConcurrencyLimit(width: 8)
    /// Told about each blob transfer, for progress views.
    let observer: TransferObserver?
    /// Where warnings go (an image for another platform than asked); default: stderr.
    let warn: @Sendable (String) -> Void

    public init(conf: RegistriesConf, store: ContentStore, transport: HTTPTransport = CurlTransport(),
                credentials: CredentialStore = CredentialStore(), certificates: CertificateDirectories = CertificateDirectories(),
                insecureHosts: Set<String> = [], retry: RetryPolicy = .fromEnvironment(), chunking: ChunkingPolicy = ChunkingPolicy(),
                observer: TransferObserver? = nil,
                warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }) {
        self.observer = observer
        self.warn = warn
        self.chunking = chunking
        self.transport = transport
        self.store = store
        resolver = EndpointResolver(conf: conf)
        credentialStore = credentials
        self.certificates = certificates
        self.insecureHosts = insecureHosts
        self.retry = retry
    }

    func isInsecure(_ endpoint: Endpoint) -> Bool { endpoint.insecure || insecureHosts.contains(endpoint.host) }

    func tls(_ endpoint: Endpoint) throws -> TLSOptions {
        if let cached = tlsOptions[endpoint.host] { return cached }
        let options = try certificates.options(for: endpoint.host, verify: !isInsecure(endpoint),
                                               bundles: store.root.appendingPathComponent("tls").path)
        tlsOptions[endpoint.host] = options
        return options
    }

    func credentials(for host: String) throws -> Credentials? {
        if let cached = credentialCache[host] { return cached }
        let found = try credentialStore.credentials(for: host)
        credentialCache[host] = .some(found)
        return found
    }

    /// Sends one request to `endpoint`'s registry at `path` (which starts with `/v2/` or is an
    /// absolute upload URL), authenticating for `scopes` when the registry asks and retrying what
    /// is worth retrying. A body streamed to `sink` is never retried here (see `fetchBlob`).
    func send(_ method: HTTPRequest.Method, _ endpoint: Endpoint, _ path: String, headers: [(String, String)] = [],
              body: HTTPRequest.Body = .none, scopes: [String], sink: BodySink? = nil, followRedirects: Bool = false,
              resendWhenUnanswered: Bool = true, action: String = "request") async throws -> HTTPResponse {
        let base = try await baseURL(endpoint)
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : base + path
        let tls = try tls(endpoint)
        var reauthenticated = false
        var attempt = 0
        while true {
            attempt += 1
            var all = headers
            if let authorization = try authorization(endpoint, scopes: scopes) { all.append(("Authorization", authorization)) }
            let request = HTTPRequest(method, url, headers: all, body: body, tls: tls, followRedirects: followRedirects)
            let response: HTTPResponse
            do {
                response = try await transport.perform(request, sink: sink)
            } catch let error as TransportError {
                // A request whose answer never came may still have taken effect: only the caller knows
                // whether sending it again is safe (`resendWhenUnanswered: false` leaves that to it).
                if sink == nil, body.isReplayable, resendWhenUnanswered, let wait = retry.delay(after: attempt, retryAfter: nil) {
                    try await Task.sleep(for: .seconds(wait))
                    continue
                }
                throw RegistryError.unreachable(host: endpoint.host, detail: "\(error)")
            }
            if response.status == 401, !reauthenticated, body.isReplayable {
                reauthenticated = true
                try await answerChallenge(response, endpoint, scopes: scopes)
                continue
            }
            if response.status == 401 {
                let challenge = (response.headers["www-authenticate"] ?? []).compactMap(Challenge.init(header:)).first
                if challenge?.parameters["error"] == "insufficient_scope" {
                    throw RegistryError.unauthorized(endpoint: endpoint, detail: "insufficient_scope: the token service did not grant \(scopes.joined(separator: " ")); you may not \(action) here")
                }
                let detail = (try? credentials(for: endpoint.host)) != nil
                ? "the registry refused the credentials for \(endpoint.host): wrong user name or password, or no access to this repository"
                : "no credentials for \(endpoint.host)"
                throw RegistryError.unauthorized(endpoint: endpoint, detail: detail)
            }
            if RetryPolicy.isRetryable(response.status), body.isReplayable {
                let asked = RetryPolicy.retryAfter(response.header("retry-after"))
                if response.status == 429, let asked, asked > retry.maxRetryAfter {
                    throw RegistryError.rateLimited(endpoint: endpoint, retryAfter: Int(asked), action: action)
                }
                if let wait = retry.delay(after: attempt, retryAfter: asked) {
                    try await Task.sleep(for: .seconds(wait))
                    continue
                }
                throw RegistryError.gaveUp(endpoint: endpoint, attempts: attempt, action: action,
                                           last: "\(RegistryClient.failure(response, endpoint, action: action))")
            }
            return response
        }
    }

    /// The Authorization header to send up front: a cached Bearer token for these scopes, or Basic
    /// credentials for a host that asked for them.
    func authorization(_ endpoint: Endpoint, scopes: [String]) throws -> String? {
        if let token = tokens.token(host: endpoint.host, scopes: scopes) { return "Bearer \(token)" }
        if basicHosts.contains(endpoint.host), let credentials = try credentials(for: endpoint.host) { return credentials.basicAuthorization }
        return nil
    }

    /// After a 401: fetch a token for a Bearer challenge, or switch to Basic credentials.
    func answerChallenge(_ response: HTTPResponse, _ endpoint: Endpoint, scopes: [String]) async throws {
        let challenges = (response.headers["www-authenticate"] ?? []).compactMap(Challenge.init(header:))
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            if tokens.token(host: endpoint.host, scopes: scopes) == nil {
                try await authenticateOnce(endpoint, challenge: bearer, scopes: scopes)
            }
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            guard try credentials(for: endpoint.host) != nil else {
                throw RegistryError.unauthorized(endpoint: endpoint, detail: "the registry wants a user name and password, and there are no credentials for \(endpoint.host)")
            }
            basicHosts.insert(endpoint.host)
        } else {
            throw RegistryError.unauthorized(endpoint: endpoint, detail: "the registry answered 401 without a challenge hoist understands")
        }
    }

    /// Checks that the credentials for `host` are accepted (what `hoist login` does before saving them).
    public func verifyLogin(host: String) async throws {
        let endpoint = Endpoint(host: host, repository: "", insecure: resolver.conf.isInsecure(host: host))
        let response = try await send(.get, endpoint, "/v2/", scopes: [], action: "logging in")
        guard response.status == 200 else { throw RegistryClient.failure(response, endpoint, action: "logging in") }
    }

    /// `scheme://host`, found by pinging `/v2/`: HTTPS first; plain HTTP only for hosts that are
    /// insecure (registries.conf, --insecure-registry) or on loopback, as docker does.
    /// Concurrent first requests to one host (parallel stages and platforms) share one ping.
    func baseURL(_ endpoint: Endpoint) async throws -> String {
        if let scheme = schemes[endpoint.host] { return "\(scheme)://\(endpoint.host)" }
        return try await pendingPings.value(for: endpoint.host) { try await self.ping(endpoint) }
    }

    private func ping(_ endpoint: Endpoint) async throws -> String {
        let mayUseHTTP = isInsecure(endpoint) || Endpoint.isLoopback(host: endpoint.host)
        let tls = try tls(endpoint)
        var errors: [String] = []
        for scheme in mayUseHTTP ? ["https", "http"] : ["https"] {
            let request = HTTPRequest(.get, "\(scheme)://\(endpoint.host)/v2/", tls: tls)
            do {
                let response = try await transport.perform(request, sink: nil)
                // A TLS port answers plain HTTP with a 400: that is not a registry speaking.
                guard response.status == 200 || response.status == 401 || response.header("docker-distribution-api-version") != nil else {
                    errors.append("\(scheme)://\(endpoint.host)/v2/ answered HTTP \(response.status), which is not the registry API")
                    continue
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
        try await pendingTokens.value(for: TokenCache.key(host: endpoint.host, scopes: scopes)) {
            try await self.authenticate(endpoint, challenge: challenge, scopes: scopes)
        }
    }

    /// A Bearer token for `scopes` from the challenge's realm: anonymously, with Basic credentials
    /// (GET), or by an OAuth2 refresh-token grant for an identity token (POST).
    func authenticate(_ endpoint: Endpoint, challenge: Challenge, scopes: [String]) async throws {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.unauthorized(endpoint: endpoint, detail: "the registry's Bearer challenge has no realm")
        }
        let credentials = try credentials(for: endpoint.host)
        let service = challenge.parameters["service"]
        var request: HTTPRequest
        if let credentials, credentials.isIdentityToken {
            var form = ["grant_type=refresh_token", "client_id=hoist", "refresh_token=\(RegistryClient.formEncode(credentials.secret))"]
            if let service { form.append("service=\(RegistryClient.formEncode(service))") }
            form.append("scope=\(RegistryClient.formEncode(scopes.joined(separator: " ")))")
            request = HTTPRequest(.post, realm, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                  body: .bytes(Array(form.joined(separator: "&").utf8)), tls: try tls(endpoint))
        } else {
            var items = components.queryItems ?? []
            if let service { items.append(URLQueryItem(name: "service", value: service)) }
            for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
            if let credentials { items.append(URLQueryItem(name: "account", value: credentials.username)) }
            components.queryItems = items
            request = HTTPRequest(.get, components.string ?? realm, headers: credentials.map { [("Authorization", $0.basicAuthorization)] } ?? [],
                                  tls: try tls(endpoint), followRedirects: true)
        }
        let response: HTTPResponse
        do {
            response = try await transport.perform(request, sink: nil)
        } catch {
            throw RegistryError.unreachable(host: components.host ?? realm, detail: "token service: \(error)")
        }
        guard response.status == 200 else {
            let why = response.status == 401 || response.status == 403
                ? (credentials == nil ? "the token service \(realm) refused anonymous access to \(scopes.joined(separator: " "))"
                                      : "the token service \(realm) refused the credentials for \(endpoint.host) (wrong user name or password?)")
                : "the token service \(realm) answered HTTP \(response.status)"
            throw RegistryError.unauthorized(endpoint: endpoint, detail: why)
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body)),
              let token = decoded.token ?? decoded.accessToken else {
            throw RegistryError.unauthorized(endpoint: endpoint, detail: "the token service \(realm) sent no token")
        }
        tokens.store(token, host: endpoint.host, scopes: scopes, lifetime: TimeInterval(decoded.expiresIn ?? 60))
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
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
