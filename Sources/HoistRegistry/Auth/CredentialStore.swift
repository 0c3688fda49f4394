import Foundation

/// Where credentials come from, in the order podman and docker look: containers' auth.json
/// (`$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`),
/// then Docker's config.json (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). In each file a
/// `credHelpers` entry for the host wins over `credsStore`, which wins over `auths`.
public struct CredentialStore: Sendable {
    public var files: [String]
    /// Credentials given directly (`hoist login -u`), looked at before any file.
    public var given: [String: Credentials] = [:]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var files: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { files.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { files.append(runtime + "/containers/auth.json") }
        if let home = environment["HOME"] { files.append(home + "/.config/containers/auth.json") }
        files.append(CredentialStore.dockerConfigPath(environment: environment))
        self.files = files
    }

    public init(files: [String]) { self.files = files }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: where `hoist login` writes.
    public static func dockerConfigPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    /// Credentials for a registry host (`host[:port]`), or nil to go anonymous.
    public func credentials(for host: String) throws -> Credentials? {
        if let given = given[host] { return given }
        let names = CredentialStore.keys(for: host)
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RegistryError.badCredentials(file: file, detail: "not a JSON object")
            }
            if let helpers = json["credHelpers"] as? [String: String],
               let helper = helpers.first(where: { names.contains(CredentialStore.normalize($0.key)) })?.value {
                return try CredentialHelper(name: helper).get(server: host)
            }
            if let store = json["credsStore"] as? String, !store.isEmpty,
               let found = try CredentialHelper(name: store).get(server: host) {
                return found
            }
            guard let auths = json["auths"] as? [String: Any],
                  let entry = auths.first(where: { names.contains(CredentialStore.normalize($0.key)) })?.value as? [String: Any] else { continue }
            if let token = entry["identitytoken"] as? String, !token.isEmpty {
                return Credentials(username: "<token>", secret: token, isIdentityToken: true)
            }
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Base64.decode(auth), let text = String(bytes: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw RegistryError.badCredentials(file: file, detail: "the \"auth\" entry for \(host) is not base64 of user:password")
                }
                return Credentials(username: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
            }
            if let user = entry["username"] as? String, let password = entry["password"] as? String {
                return Credentials(username: user, secret: password)
            }
        }
        return nil
    }

    /// `https://host/v1/`, `host/`, `HOST` all name `host`.
    static func normalize(_ key: String) -> String {
        var k = Substring(key)
        for scheme in ["https://", "http://"] where k.hasPrefix(scheme) { k = k.dropFirst(scheme.count) }
        return String(k.prefix { $0 != "/" }).lowercased()
    }

    /// The names a host's credentials may be stored under; Docker Hub's are kept as index.docker.io.
    static func keys(for host: String) -> Set<String> {
        let h = host.lowercased()
        if ["docker.io", "registry-1.docker.io", "index.docker.io"].contains(h) { return ["docker.io", "registry-1.docker.io", "index.docker.io"] }
        return [h]
    }
}
