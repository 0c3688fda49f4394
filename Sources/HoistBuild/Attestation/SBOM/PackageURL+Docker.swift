import HoistOCI

extension PackageURL {
    /// An image reference as BuildKit writes it in provenance: `pkg:docker/NAME@TAG?platform=OS%2FARCH`,
    /// Docker Hub's `docker.io/library/` left out, `:` left as it is in the name and version (as
    /// packageurl-go's path escaping leaves it), the digest as version when there is no tag.
    static func docker(_ reference: Reference, platform: Platform?) -> String {
        var name = reference.name
        for prefix in ["docker.io/library/", "docker.io/"] where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
            break
        }
        let version = reference.tag ?? reference.digest?.description ?? "latest"
        var text = "pkg:docker/\(name)@\(version)"
        if let platform {
            let value = platform.normalized.description.replacingOccurrences(of: "/", with: "%2F")
            text += "?platform=\(value)"
        }
        return text
    }
}
