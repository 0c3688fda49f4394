import Foundation
import HoistContent
import HoistOCI

/// `--build-context NAME=VALUE`: what a FROM or `COPY --from` of NAME reads instead of the stage or
/// image of that name.
public enum NamedContext: Sendable, Equatable {
    /// `docker-image://REF`
    case image(String)
    /// `oci-layout://PATH[:TAG|@DIGEST]`
    case ociLayout(path: String, reference: String?)
    /// A local directory (only for COPY --from).
    case directory(String)

    public init(parsing value: String, name: String) throws {
        if value.hasPrefix("docker-image://") {
            let ref = String(value.dropFirst("docker-image://".count))
            guard (try? Reference(parsing: ref)) != nil else { throw BuildError.context("--build-context \(name)=\(value): \"\(ref)\" is not an image reference") }
            self = .image(ref)
        } else if value.hasPrefix("oci-layout://") {
            var path = String(value.dropFirst("oci-layout://".count))
            var reference: String?
            if let at = path.lastIndex(of: "@") {
                reference = String(path[path.index(after: at)...])
                path = String(path[..<at])
            } else if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") {
                reference = String(path[path.index(after: colon)...])
                path = String(path[..<colon])
            }
            guard FileManager.default.fileExists(atPath: OCILayout(path: path).indexPath) else {
                throw BuildError.context("--build-context \(name)=\(value): \(path) is not an OCI image layout (no index.json)")
            }
            self = .ociLayout(path: path, reference: reference)
        } else if value.contains("://") {
            throw BuildError.context("--build-context \(name)=\(value): only docker-image://, oci-layout:// and local directories are supported")
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BuildError.context("--build-context \(name)=\(value): no such directory")
            }
            self = .directory(value)
        }
    }
}
