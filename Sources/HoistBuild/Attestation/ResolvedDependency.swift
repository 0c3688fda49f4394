/// Something a build read from outside the context: SLSA v1's ResourceDescriptor
/// (slsa.dev/spec/v1.0/provenance#resourcedescriptor), as provenance lists it under
/// `resolvedDependencies`. `digest` maps an algorithm (`sha256`, `gitCommit`) to its hex value.
public struct ResolvedDependency: Codable, Hashable, Sendable {
    public var uri: String?
    public var digest: [String: String]?
    public var name: String?

    public init(uri: String?, digest: [String: String]?, name: String? = nil) {
        self.uri = uri
        self.digest = digest
        self.name = name
    }
}
