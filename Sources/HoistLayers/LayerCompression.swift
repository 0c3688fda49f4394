import HoistOCI

/// How new layers are compressed (`--compression`): gzip (default), zstd, or not at all.
public enum LayerCompression: Sendable, Equatable {
    case gzip(level: Int32)
    case zstd(level: Int32)
    case uncompressed

    public static let gzip = LayerCompression.gzip(level: 6)

    /// `gzip`, `gzip:9`, `zstd`, `zstd:19`, `uncompressed`.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let level = try parts.count > 1 ? Int32(parts[1]).orThrow(LayerError.compression("\(text): the level must be a number")) : nil
        switch parts.first {
        case "gzip": self = .gzip(level: level ?? 6)
        case "zstd": self = .zstd(level: level ?? 3)
        case "uncompressed": self = .uncompressed
        default: throw LayerError.compression("\(text): use gzip[:level], zstd[:level] or uncompressed")
        }
    }

    public var mediaType: MediaType {
        switch self {
        case .gzip: .ociLayerGzip
        case .zstd: .ociLayerZstd
        case .uncompressed: .ociLayer
        }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
