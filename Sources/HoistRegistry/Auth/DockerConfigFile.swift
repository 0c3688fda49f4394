import Foundation

/// Docker's config.json as `hoist login`/`logout` edit it: only `auths[HOST]` changes, every other
/// key is kept, and the file is replaced atomically with mode 0600.
public struct DockerConfigFile {
    public let path: String

    public init(path: String = CredentialStore.dockerConfigPath()) { self.path = path }

    public func store(_ credentials: Credentials, for host: String) throws {
        var json = try load()
        var auths = json["auths"] as? [String: Any] ?? [:]
        auths[host] = ["auth": Base64.encode(Array("\(credentials.username):\(credentials.secret)".utf8))]
        json["auths"] = auths
        try save(json)
    }

    /// Returns false when there was nothing stored for `host`.
    public func remove(host: String) throws -> Bool {
        var json = try load()
        guard var auths = json["auths"] as? [String: Any] else { return false }
        let keys = auths.keys.filter { CredentialStore.normalize($0) == CredentialStore.normalize(host) }
        guard !keys.isEmpty else { return false }
        for key in keys { auths.removeValue(forKey: key) }
        json["auths"] = auths
        try save(json)
        return true
    }

    private func load() throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RegistryError.badCredentials(file: path, detail: "not a JSON object; fix or remove it")
        }
        return json
    }

    private func save(_ json: [String: Any]) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        let temp = path + ".hoist-\(getpid())"
        // Created 0600 from the start, so the secret is never readable by others, even briefly.
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RegistryError.badCredentials(file: path, detail: "cannot write \(temp)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == data.count, rename(temp, path) == 0 else {
            unlink(temp)
            throw RegistryError.badCredentials(file: path, detail: "cannot replace the file")
        }
    }
}
