import Foundation

/// Bearer tokens per registry host and scope set, kept until shortly before they expire.
struct TokenCache {
    private var entries: [String: (token: String, expires: Date)] = [:]

    static func key(host: String, scopes: [String]) -> String { host + " " + scopes.sorted().joined(separator: " ") }

    func token(host: String, scopes: [String]) -> String? {
        guard let e = entries[TokenCache.key(host: host, scopes: scopes)], e.expires > Date() else { return nil }
        return e.token
    }

    mutating func store(_ token: String, host: String, scopes: [String], lifetime: TimeInterval) {
        // Renew 10 s early so a token never expires in the middle of a request.
        entries[TokenCache.key(host: host, scopes: scopes)] = (token, Date().addingTimeInterval(max(lifetime - 10, 5)))
    }
}

struct TokenResponse: Decodable {
    var token: String?
    var accessToken: String?
    var expiresIn: Int?
    enum CodingKeys: String, CodingKey { case token, accessToken = "access_token", expiresIn = "expires_in" }
}
