import Foundation
import HoistOCI

/// Per-registry TLS material as docker and podman keep it: `/etc/docker/certs.d/HOST[:PORT]/` and
/// `/etc/containers/certs.d/HOST[:PORT]/` with `*.crt` CAs (trusted in addition to the system's)
/// and `*.cert` + `*.key` client certificate pairs.
public struct CertificateDirectories: Sendable {
    public var roots: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let custom = environment["HOIST_CERTS_D"], !custom.isEmpty {
            roots = custom.split(separator: ":").map(String.init)
        } else {
            roots = ["/etc/docker/certs.d", "/etc/containers/certs.d"]
        }
    }

    public init(roots: [String]) { self.roots = roots }

    /// TLS options for `host`; a CA bundle (system CAs plus the host's) is written under `bundles`.
    public func options(for host: String, verify: Bool, bundles: String) throws -> TLSOptions {
        var options = TLSOptions(verify: verify)
        var cas: [String] = []
        for root in roots {
            let dir = root + "/" + host
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() {
                if name.hasSuffix(".crt") { cas.append(dir + "/" + name) }
                if name.hasSuffix(".cert"), options.clientCertificate == nil {
                    let key = dir + "/" + name.dropLast(5) + ".key"
                    guard FileManager.default.fileExists(atPath: key) else {
                        throw RegistryError.badTLS(host: host, detail: "\(dir)/\(name) has no matching .key file")
                    }
                    options.clientCertificate = dir + "/" + name
                    options.clientKey = key
                }
            }
        }
        guard !cas.isEmpty else { return options }
        var bundle = Data()
        for system in ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"] {
            if let data = FileManager.default.contents(atPath: system) { bundle.append(data); bundle.append(10); break }
        }
        for ca in cas {
            guard let data = FileManager.default.contents(atPath: ca) else { throw RegistryError.badTLS(host: host, detail: "\(ca) cannot be read") }
            bundle.append(data)
            bundle.append(10)
        }
        try FileManager.default.createDirectory(atPath: bundles, withIntermediateDirectories: true)
        let path = bundles + "/" + Digest.sha256(of: Array(bundle)).encoded + ".pem"
        if !FileManager.default.fileExists(atPath: path) {
            let temp = path + ".\(getpid()).tmp"
            guard FileManager.default.createFile(atPath: temp, contents: bundle), rename(temp, path) == 0 else {
                throw RegistryError.badTLS(host: host, detail: "cannot write the CA bundle \(path)")
            }
        }
        options.caBundle = path
        return options
    }
}
