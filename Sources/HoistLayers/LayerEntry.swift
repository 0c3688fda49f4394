/// One entry of a layer to write: where it goes, what it is, and its metadata.
public struct LayerEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A regular file whose `size` bytes are read from `source` on disk, from byte `offset`,
        /// when the layer is written (an offset other than 0: one body of a `BodyPack`).
        case file(source: String, size: Int64, offset: Int64 = 0)
        case directory
        case symlink(target: String)
        /// A hard link to another path in the same layer.
        case hardlink(target: String)
    }

    /// Path inside the image, relative, without a leading `/` (`usr/bin/app`).
    public var path: String
    public var kind: Kind
    /// Permission bits including setuid/setgid/sticky (`0o4755`).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Seconds since the epoch.
    public var mtime: Int
    /// Extended attributes (`security.capability`), written as PAX `SCHILY.xattr.*` records.
    public var xattrs: [String: [UInt8]]

    public init(path: String, kind: Kind, mode: UInt32, uid: Int = 0, gid: Int = 0, mtime: Int, xattrs: [String: [UInt8]] = [:]) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
        self.xattrs = xattrs
    }
}
