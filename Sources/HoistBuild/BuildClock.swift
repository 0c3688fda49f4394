import Foundation

/// The time stamped into `created` and history: SOURCE_DATE_EPOCH when given, else now.
struct BuildClock: Sendable {
    let epoch: Int?
    let now = Date()

    var created: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: epoch.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? now)
    }

    /// mtime for directories a COPY creates: fixed, so layer digests do not depend on when the build ran.
    var createdDirectoryTime: Int { epoch ?? 0 }
}
