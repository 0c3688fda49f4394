import Foundation
import HoistContent
import HoistLayers
import HoistOCI
import HoistRegistry

/// `hoist copy SRC DST`: the same bytes, the same digests, between registries, OCI layout
/// directories and oci-archive tarballs. Blobs go first, then platform manifests, the index last.
public struct ImageCopier {
    public let registry: RegistryClient
    let log: @Sendable (String) -> Void

    public init(registry: RegistryClient, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.registry = registry
        self.log = log
    }

    /// Writes a kept (or any) image as a docker archive (`docker load`), named by `tags`.
    public func saveDockerArchive(from source: ImageLocation, tags: [Reference], to dest: String, platform: Platform = .host) async throws {
        let scratch = registry.store.root.appendingPathComponent("ingest/save-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let image = try await SourceImage.read(source, registry: registry, platform: platform, all: false, scratch: scratch)
        try await DockerArchiveExporter(registry: registry).write(image, tags: tags, to: dest)
    }

    /// Copies and returns the digest of what was written at the top (index or manifest).
    @discardableResult
    public func copy(from source: ImageLocation, to destination: ImageLocation, platform: Platform = .host, all: Bool = false) async throws -> Digest {
        let scratch = registry.store.root.appendingPathComponent("ingest/copy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let image = try await SourceImage.read(source, registry: registry, platform: platform, all: all, scratch: scratch)
        switch destination {
        case let .registry(reference):
            let target = try registry.resolver.pushEndpoint(for: reference)
            try await Pusher(registry: registry, log: log).pushBlobs(image.blobs, to: target)
            for child in image.children {
                try await registry.putManifest(child.bytes, mediaType: child.mediaType, to: target, tag: nil)
            }
            let tag: String? = reference.digest != nil ? nil : (reference.tag ?? "latest")
            try await registry.putManifest(image.root.bytes, mediaType: image.root.mediaType, to: target, tag: tag)
        case let .layout(path, tag):
            try await writeLayout(image, to: path, annotations: tag.map { ["org.opencontainers.image.ref.name": $0] })
        case let .archive(path, tag):
            let dir = scratch + "/out"
            try await writeLayout(image, to: dir, annotations: tag.map { ["org.opencontainers.image.ref.name": $0] })
            try await Blocking.run { try ImageCopier.tarLayout(dir, to: path) }
        }
        return image.root.digest
    }

    /// Adds the image to an OCI layout directory (made if absent) under the `annotations` of its
    /// index entry (a `ref.name` replaces an older entry of that name); `index.json` is replaced last.
    func writeLayout(_ image: SourceImage, to path: String, annotations: [String: String]?) async throws {
        let blobs = path + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path + "/oci-layout") {
            try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
        }
        for blob in image.blobs {
            let target = blobs + "/" + blob.descriptor.digest.encoded
            if FileManager.default.fileExists(atPath: target) { continue }
            try ImageCopier.install(try await blob.localPath(using: registry), at: target)
        }
        for manifest in image.children + [image.root] {
            let target = blobs + "/" + manifest.digest.encoded
            if !FileManager.default.fileExists(atPath: target) { try ImageCopier.write(manifest.bytes, at: target) }
        }
        var index = (FileManager.default.contents(atPath: path + "/index.json")).flatMap { try? CanonicalJSON.decode(Index.self, from: Array($0)) }
            ?? Index(mediaType: .ociIndex, manifests: [])
        if let name = annotations?["org.opencontainers.image.ref.name"] {
            index.manifests.removeAll { $0.annotations?["org.opencontainers.image.ref.name"] == name }
        }
        index.manifests.append(Descriptor(mediaType: image.root.mediaType, digest: image.root.digest, size: Int64(image.root.bytes.count),
                                          annotations: annotations))
        try ImageCopier.write(try CanonicalJSON.encode(index), at: path + "/index.json")
    }

    /// Copies a verified store blob to `target` through a temp file and a rename.
    static func install(_ source: String, at target: String) throws {
        let temp = target + ".partial"
        try? FileManager.default.removeItem(atPath: temp)
        try FileManager.default.copyItem(atPath: source, toPath: temp)
        guard rename(temp, target) == 0 else { throw TransferError.corrupt(target, "cannot move the blob into place") }
    }

    static func write(_ bytes: [UInt8], at target: String) throws {
        let temp = target + ".partial"
        try Data(bytes).write(to: URL(fileURLWithPath: temp))
        guard rename(temp, target) == 0 else { throw TransferError.corrupt(target, "cannot move the file into place") }
    }

    /// Tars an OCI layout directory (plus `extra` top-level files, e.g. docker's manifest.json).
    static func tarLayout(_ dir: String, to path: String, extra: [String] = []) throws {
        var entries = [LayerEntry(path: "blobs", kind: .directory, mode: 0o755, mtime: 0),
                       LayerEntry(path: "blobs/sha256", kind: .directory, mode: 0o755, mtime: 0)]
        for name in ["oci-layout", "index.json"] + extra {
            let size = (try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? NSNumber)?.int64Value ?? 0
            entries.append(LayerEntry(path: name, kind: .file(source: dir + "/" + name, size: size), mode: 0o644, mtime: 0))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/blobs/sha256") {
            let file = dir + "/blobs/sha256/" + name
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            entries.append(LayerEntry(path: "blobs/sha256/" + name, kind: .file(source: file, size: size), mode: 0o644, mtime: 0))
        }
        try TarWriter.write(entries, toFile: path)
    }
}
