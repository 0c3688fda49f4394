import HoistLayers
import HoistOCI

/// Where a build cache lives: a registry reference, or an OCI layout directory and its tag.
public enum CacheLocation: Sendable, Equatable, CustomStringConvertible {
    case registry(Reference)
    case local(directory: String, tag: String)

    public var description: String {
        switch self {
        case let .registry(reference): "\(reference)"
        case let .local(directory, tag): "\(directory) (\(tag))"
        }
    }
}

/// `--cache-from` and `--cache-to` as buildx spells them (`type=registry,ref=REF,mode=max`).
public struct CacheSpec: Sendable, Equatable {
    /// `mode=min` keeps the steps whose layers are in the final image; `max` every step of every
    /// stage built.
    public enum Mode: String, Sendable { case min, max }

    public var location: CacheLocation
    public var mode: Mode = .min
    /// `compression=`: accepted as buildx spells it; a cache holds the build's own layers (a
    /// step's key includes their compression), so another one only warns.
    public var compression: LayerCompression?
    /// `image-manifest=false`: BuildKit's older envelope, an index instead of an image manifest.
    public var imageManifest = true
    /// `ignore-error=true`: an export that fails is a warning, not a failed build.
    public var ignoreError = false

    /// Parses `--cache-from` (`exporting: false`) or `--cache-to` text. Throws `BuildError.badCache`
    /// naming the flag, the text and what is wrong.
    public init(parsing text: String, exporting: Bool) throws {
        let flag = exporting ? "--cache-to" : "--cache-from"
        func bad(_ why: String) -> BuildError { .badCache(flag: flag, text: text, why) }
        // buildx takes a bare reference as type=registry,ref=REF.
        let attributes = text.contains("=") ? text : "type=registry,ref=\(text)"
        if let part = attributes.split(separator: ",").first(where: { $0.split(separator: "=", maxSplits: 1).count != 2 }) {
            throw bad("\"\(part)\" is not key=value")
        }
        let fields = BuildxAttributes.fields(attributes)
        switch fields["type"] ?? "registry" {
        case "registry":
            guard let ref = fields["ref"], !ref.isEmpty else { throw bad("type=registry needs ref=REGISTRY/REPOSITORY[:TAG]") }
            do { location = .registry(try Reference(parsing: ref)) } catch { throw bad("ref=\(ref): \(error)") }
        case "local":
            let key = exporting ? "dest" : "src"
            guard let directory = fields[key], !directory.isEmpty else { throw bad("type=local needs \(key)=DIRECTORY") }
            location = .local(directory: directory, tag: fields["tag"] ?? "latest")
        case "inline":
            throw bad("type=inline is not supported: Hoist keeps its cache in its own manifest; use type=registry,ref=REF")
        case let other:
            throw bad("type=\(other) is not supported (supported: registry, local)")
        }
        if let mode = fields["mode"] {
            guard let parsed = Mode(rawValue: mode) else { throw bad("mode=\(mode): expected min or max") }
            self.mode = parsed
        }
        if let value = fields["compression"] {
            do { compression = try LayerCompression(parsing: value + (fields["compression-level"].map { ":" + $0 } ?? "")) } catch {
                throw bad("compression=\(value): \(error)")
            }
        }
        func bool(_ key: String) throws -> Bool? {
            guard let value = fields[key] else { return nil }
            guard let parsed = BuildxAttributes.bool(value) else { throw bad("\(key)=\(value): expected true or false") }
            return parsed
        }
        if let value = try bool("image-manifest") { imageManifest = value }
        if let value = try bool("ignore-error") { ignoreError = value }
        if try bool("oci-mediatypes") == false { throw bad("oci-mediatypes=false is not supported: a cache manifest uses OCI media types") }
        let known: Set = ["type", "ref", "dest", "src", "tag", "mode", "compression", "compression-level", "force-compression",
                          "image-manifest", "ignore-error", "oci-mediatypes"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) { throw bad("unknown key \(unknown)") }
    }
}
