import Foundation
import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry

/// `type=docker,dest=FILE.tar` and `hoist save`: what `docker load` reads. The archive is an OCI
/// layout (as `docker save` writes since Docker 25) plus `manifest.json`, whose `RepoTags` name the image.
public struct DockerArchiveExporter {
    let registry: RegistryClient

    public init(registry: RegistryClient) { self.registry = registry }

    /// Writes the image at `location` (one platform's: `platform` picks it from an index), named by `tags`.
    public func save(from location: ImageLocation, tags: [Reference], to dest: String, platform: Platform = .host) async throws {
        let scratch = try registry.store.scratchDirectory("save")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try await write(try await ImageContent.read(location, registry: registry, platform: platform, all: false, scratch: scratch), tags: tags, to: dest)
    }

    /// Any single-platform image (an index has no docker archive form).
    func write(_ content: ImageContent, tags: [Reference], to dest: String) async throws {
        let source = try content.imageAlone() ?? content
        guard source.root.mediaType.isManifest else {
            throw TransferError.badLocation(dest, "a docker archive holds one platform's image; choose one with --platform")
        }
        let manifestValue = try CanonicalJSON.decode(Manifest.self, from: source.root.bytes)
        let scratch = registry.store.root.appendingPathComponent("ingest/docker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let layout = OCILayout(path: scratch + "/layout")
        try await source.write(to: layout, annotations: OCIArchiveExporter.annotations(for: tags), registry: registry)
        let manifest: [[String: Any]] = [[
            "Config": "blobs/sha256/\(manifestValue.config.digest.encoded)",
            "RepoTags": tags.map(DockerArchiveExporter.familiarName),
            "Layers": manifestValue.layers.map { "blobs/sha256/\($0.digest.encoded)" },
        ]]
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: layout.path + "/manifest.json"))
        try await Blocking.run { try layout.tar(to: dest, extra: ["manifest.json"]) }
    }

    /// Docker's short form: `docker.io/library/app:1` is `app:1`, `docker.io/u/app:1` is `u/app:1`.
    static func familiarName(_ reference: Reference) -> String {
        var name = reference.name
        if reference.domain == Reference.dockerHub {
            name = reference.path.hasPrefix("library/") ? String(reference.path.dropFirst(8)) : reference.path
        }
        return name + ":" + (reference.tag ?? "latest")
    }
}
