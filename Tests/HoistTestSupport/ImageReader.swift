import Foundation
import Testing

/// Reads images back with independent tools: skopeo copies them into an OCI layout, umoci unpacks them.
public struct UnpackedImage {
    public let rootfs: String
    public let config: [String: Any]
    public let manifestPath: String
    public let configPath: String
    public let indexPath: String

    /// `skopeo copy` of `source` (e.g. `docker://host/repo:tag`) into a layout under `dir`, then `umoci unpack`.
    public init(skopeoSource source: String, into dir: String) throws {
        let layout = dir + "/layout"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Shell.check(["skopeo", "copy", "-q", "--src-tls-verify=false", source, "oci:\(layout):img"])
        try Shell.check(["umoci", "unpack", "--image", "\(layout):img", dir + "/bundle"])
        rootfs = dir + "/bundle/rootfs"
        indexPath = layout + "/index.json"
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: indexPath))) as! [String: Any]
        let manifestDigest = ((index["manifests"] as! [[String: Any]])[0]["digest"] as! String)
        manifestPath = layout + "/blobs/sha256/" + manifestDigest.dropFirst(7)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        let configDigest = (manifest["config"] as! [String: Any])["digest"] as! String
        configPath = layout + "/blobs/sha256/" + configDigest.dropFirst(7)
        config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as! [String: Any]
    }

    public var containerConfig: [String: Any] { config["config"] as? [String: Any] ?? [:] }

    public func contents(_ path: String) -> String? {
        (try? String(contentsOfFile: rootfs + path, encoding: .utf8))
    }

    /// (mode bits, uid, gid) of a path inside the root filesystem, not following a final symlink.
    public func metadata(_ path: String) -> (mode: UInt32, uid: UInt32, gid: UInt32)? {
        var st = stat()
        guard lstat(rootfs + path, &st) == 0 else { return nil }
        return (UInt32(st.st_mode) & 0o7777, st.st_uid, st.st_gid)
    }

    public func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(rootfs + path, &st) == 0
    }
}

/// Checks `file` against image-spec's schema `kind` with its validate.py and records its complaints.
/// Where the conformance material is absent the calling test is cancelled, which reports it as
/// skipped with the reason: call it after the test's other expectations.
public func expectImageSpecValid(_ kind: String, _ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard let validator = Conformance.imageSpecValidator else { try Test.cancel(Conformance.missing, sourceLocation: sourceLocation) }
    let r = try Shell.run([Paths.python, validator, kind, file])
    #expect(r.status == 0, "\(file) against \(kind): \(r.stdout + r.stderr)", sourceLocation: sourceLocation)
}
