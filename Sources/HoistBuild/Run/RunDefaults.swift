import Foundation
import HoistSandbox

/// What every RUN gets unless it says otherwise, from the build-level flags of `docker buildx
/// build`: `--network`, `--add-host`, `--ulimit`, `--shm-size`. Each is part of a RUN's cache key,
/// as BuildKit's ExecOp carries them.
public struct RunDefaults: Sendable, Equatable {
    /// `--network`: `default`, `none` or `host`; a RUN's own `--network` wins.
    public var network = "default"
    /// `--add-host NAME:IP`, in order: lines added to RUN's /etc/hosts.
    public var extraHosts: [HostEntry] = []
    /// `--ulimit NAME=SOFT[:HARD]`.
    public var limits: [ResourceLimit] = []
    /// `--shm-size`: bytes of RUN's /dev/shm; nil gives 64 MiB.
    public var shmSize: UInt64?

    public init() {}

    /// One `--add-host` entry.
    public struct HostEntry: Sendable, Equatable {
        public var name: String
        public var address: String

        /// Parses `NAME:IP` or `NAME=IP` (IPv4 or IPv6, as docker accepts); throws `BuildError.context`.
        public init(parsing text: String) throws {
            guard let separator = text.firstIndex(where: { $0 == ":" || $0 == "=" }), separator != text.startIndex else {
                throw BuildError.context("--add-host \(text): expected HOST:IP")
            }
            name = String(text[..<separator])
            address = String(text[text.index(after: separator)...])
            if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-._".contains($0) }) else {
                throw BuildError.context("--add-host \(text): \"\(name)\" is not a host name")
            }
            var v4 = in_addr(), v6 = in6_addr()
            guard inet_pton(AF_INET, address, &v4) == 1 || inet_pton(AF_INET6, address, &v6) == 1 else {
                throw BuildError.context("--add-host \(text): \"\(address)\" is not an IP address (host-gateway is not supported)")
            }
        }
    }

    /// Checks `--network`'s value.
    public static func network(parsing text: String) throws -> String {
        guard ["default", "none", "host"].contains(text) else {
            throw BuildError.context("--network \(text): expected default, none or host")
        }
        return text
    }

    /// Parses `--shm-size` as docker does (go-units RAMInBytes): a number of bytes with an optional
    /// unit b, k, m, g, t (powers of 1024; a trailing `b` or `ib` is allowed). Throws `BuildError.context`.
    public static func shmSize(parsing text: String) throws -> UInt64 {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let digits = lower.prefix { $0.isNumber || $0 == "." }
        var unit = String(lower.dropFirst(digits.count))
        for suffix in ["ib", "b"] where unit.hasSuffix(suffix) && unit.count > suffix.count - 1 { unit.removeLast(suffix.count); break }
        let powers: [String: Double] = ["": 1, "k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776]
        guard let number = Double(digits), let power = powers[unit], number > 0 else {
            throw BuildError.context("--shm-size \(text): expected a size such as 64m, 1g or 1048576 (bytes)")
        }
        guard number * power < 0x1p63 else { throw BuildError.context("--shm-size \(text): too large") }
        return UInt64(number * power)
    }
}
