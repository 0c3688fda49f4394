/// An image platform (`os/architecture[/variant]`), as in image-spec's image-index.md.
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// Parses `linux/amd64`, `linux/arm64/v8`, `arm64` (os defaults to linux).
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw PlatformError.malformed(text)
        }
        if parts.count == 1 {
            self.init(os: "linux", architecture: parts[0])
        } else {
            self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
        }
        self = normalized
    }

    /// The platform of this machine, as images name it.
    public static var host: Platform {
        #if arch(arm64)
        return Platform(os: "linux", architecture: "arm64")
        #else
        return Platform(os: "linux", architecture: "amd64")
        #endif
    }

    /// containerd's normalisation: arm64 has variant v8 by default, aarch64/x86_64 aliases.
    public var normalized: Platform {
        var p = self
        switch p.architecture {
        case "x86_64", "x86-64": p.architecture = "amd64"
        case "aarch64": p.architecture = "arm64"
        default: break
        }
        if p.architecture == "arm64", p.variant == "v8" { p.variant = nil }
        return p
    }

    /// Whether an image built for `self` serves a request for `wanted`.
    public func matches(_ wanted: Platform) -> Bool {
        let a = normalized, b = wanted.normalized
        guard a.os == b.os, a.architecture == b.architecture else { return false }
        return b.variant == nil || a.variant == b.variant
    }

    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }
}

public enum PlatformError: Error, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self {
        case let .malformed(t): "\"\(t)\" is not a platform (expected os/arch[/variant], e.g. linux/amd64)"
        }
    }
}
