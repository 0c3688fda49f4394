import Foundation
import HoistContent
import HoistOCI

/// The images the local store keeps (`hoist pull`, builds without an output): `$HOIST_ROOT` is
/// itself an OCI image layout (its blobs are the content store), and `index.json` names each
/// kept image by its full reference.
public struct LocalImages {
    public let root: URL
    private var layout: OCILayout { OCILayout(path: root.path) }

    public init(root: URL) { self.root = root }

    /// The images kept, each under its full reference name.
    public func list() -> [Descriptor] { (try? layout.index())?.manifests ?? [] }

    /// The entry named `reference`, if kept.
    public func find(_ reference: Reference) -> Descriptor? { layout.entry(named: reference.withDefaultTag.description) }

    /// Forgets a name; returns false if it was not kept. Blobs stay until the store is pruned.
    public func remove(_ reference: Reference) throws -> Bool { try layout.remove(named: reference.withDefaultTag.description) }

    /// The location of a kept image for `hoist copy`-style transfers.
    public func location(of reference: Reference) -> ImageLocation {
        .layout(path: root.path, tag: reference.withDefaultTag.description)
    }

    /// Names `manifest` (a manifest or index whose blobs are in the store) `reference`.
    public func record(_ reference: Reference, manifest: Descriptor) throws {
        var entry = manifest
        entry.annotations = [OCILayout.refNameAnnotation: reference.description]
        try layout.add(entry)
    }
}
