/// A resource limit for RUN commands, as `docker build --ulimit NAME=SOFT[:HARD]` gives it
/// (docker's go-units `ParseUlimit`): NAME is one of `names`, values are numbers or -1 for
/// unlimited, and a missing HARD is SOFT.
public struct ResourceLimit: Sendable, Equatable {
    public var name: String
    /// `RLIMIT_*`.
    public var resource: Int32
    public var soft: UInt64
    public var hard: UInt64

    /// The names docker accepts, with their `RLIMIT_*` numbers (Linux's generic values, the same on
    /// x86_64 and arm64; Glibc's macros for most of them do not reach Swift).
    public static let names: [String: Int32] = [
        "cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5, "nproc": 6, "nofile": 7,
        "memlock": 8, "locks": 10, "sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14, "rttime": 15,
    ]

    /// Parses `nofile=1024:2048`; throws `SandboxError.badLimit` saying what is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let resource = ResourceLimit.names[parts[0]] else {
            throw SandboxError.badLimit(text, "expected NAME=SOFT[:HARD] with NAME one of \(ResourceLimit.names.keys.sorted().joined(separator: ", "))")
        }
        let values = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(values.count) else { throw SandboxError.badLimit(text, "expected SOFT or SOFT:HARD after =") }
        func value(_ v: String) throws -> UInt64 {
            if v == "-1" { return UInt64(bitPattern: Int64(-1)) }  // RLIM_INFINITY
            guard let n = UInt64(v) else { throw SandboxError.badLimit(text, "\"\(v)\" is not a number (or -1 for unlimited)") }
            return n
        }
        let soft = try value(values[0])
        let hard = values.count == 2 ? try value(values[1]) : soft
        guard soft <= hard else { throw SandboxError.badLimit(text, "the soft limit \(values[0]) is above the hard limit \(values[1])") }
        self.name = parts[0]
        self.resource = resource
        self.soft = soft
        self.hard = hard
    }
}
