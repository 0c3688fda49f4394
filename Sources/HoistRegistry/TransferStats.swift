import HoistOCI

/// What crossed the wire, so a build can report it and tests can assert that base layers did not.
public struct TransferStats: Sendable, Equatable {
    /// Blob bytes downloaded, per digest.
    public var downloaded: [Digest: Int64] = [:]
    /// Blob bytes uploaded, per digest.
    public var uploaded: [Digest: Int64] = [:]
    /// Blobs made available by a cross-repository mount.
    public var mounted: Set<Digest> = []
    /// Blobs the target already had.
    public var existing: Set<Digest> = []

    public init() {}

    public var downloadedBytes: Int64 { downloaded.values.reduce(0, +) }
    public var uploadedBytes: Int64 { uploaded.values.reduce(0, +) }
}
