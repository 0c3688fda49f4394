import Foundation

/// Debian's docker-registry on 127.0.0.1 at a free port, its data in a temp dir, stopped when the
/// test process exits (a watcher started with it kills it) or when `stop()` is called.
public final class TestRegistry: @unchecked Sendable {
    public let directory: TempDirectory
    public let port: Int
    public let pid: Int32
    public var host: String { "127.0.0.1:\(port)" }
    public var dataDirectory: String { directory.path + "/data" }
    public var logFile: String { directory.path + "/registry.log" }
    /// With basic auth: a certs.d tree trusting the registry's CA (for HOIST_CERTS_D, skopeo --cert-dir).
    public var certsDirectory: String { directory.path + "/certs.d" }
    public var clientCertificateFiles: (certificate: String, key: String) { (directory.path + "/client/client.cert", directory.path + "/client/client.key") }
    /// With token auth: one line per token issued, listing the scopes asked for.
    public var issuerLog: [String] {
        ((try? String(contentsOfFile: directory.path + "/issuer/issuer.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// With `tokenAuth`, the registry demands Bearer tokens from an issuer started beside it
    /// (Testdata/start-token-registry.sh) that grants anonymous requests what they ask for.
    /// With `basicAuth`, HTTPS with a CA made at start (`certsDirectory` holds it for clients) and
    /// htpasswd authentication for that user and password.
    /// With `clientCertificates` (and `basicAuth`) the registry also demands a client certificate;
    /// `clientCertificateFiles` are the pair it accepts.
    public init(tokenAuth: Bool = false, basicAuth: (user: String, password: String)? = nil, clientCertificates: Bool = false) throws {
        directory = try TempDirectory("hoist-registry")
        var lastError: Error?
        for _ in 0..<5 {
            let port = TestRegistry.freePort()
            let command: [String]
            if let basicAuth {
                command = [Paths.testdata + "/start-tls-registry.sh", directory.path, "\(port)", basicAuth.user, basicAuth.password, "\(getpid())"]
            } else if tokenAuth {
                command = [Paths.testdata + "/start-token-registry.sh", directory.path, "\(port)", "\(TestRegistry.freePort())", "\(getpid())"]
            } else {
                command = [Paths.testdata + "/start-registry.sh", directory.path, "\(port)", "\(getpid())"]
            }
            do {
                let out = try Shell.check(command, environment: clientCertificates ? ["CLIENT_CERTS": "1"] : [:])
                self.port = port
                pid = Int32(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                return
            } catch { lastError = error }
        }
        throw lastError!
    }

    deinit { stop() }

    public func stop() {
        if pid > 0 { kill(pid, SIGTERM) }
    }

    /// A port the kernel just handed out, so it is very likely free.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A registries.conf sending docker.io names to this registry (Testdata/registries-conf.sh).
    public func writeRegistriesConf(to path: String) throws {
        try Shell.check([Paths.testdata + "/registries-conf.sh", host]).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Access-log lines (one per request, `"METHOD /path HTTP/1.1" status …`) that contain `text`,
    /// after the first `since` lines of the log. The registry's other log lines are left out.
    public func accessLog(containing text: String, since: Int = 0) -> [String] {
        logLines().dropFirst(since).filter { !$0.hasPrefix("time=") && $0.contains(" HTTP/1.1\" ") && $0.contains(text) }
    }

    /// How many lines the log has now: pass it as `since` to look only at what follows.
    public func logMark() -> Int { logLines().count }

    private func logLines() -> [String] {
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map(String.init)
    }

    /// Copies `repositories` (e.g. `library/alpine:latest`) from `source` with skopeo.
    public func copy(_ repositories: [String], from source: TestRegistry) throws {
        for name in repositories {
            try Shell.check(["skopeo", "copy", "-q", "--all", "--src-tls-verify=false", "--dest-tls-verify=false",
                             "docker://\(source.host)/\(name)", "docker://\(host)/\(name)"])
        }
    }
}
