import Foundation
import HoistLayers

/// The time stamped into `created` and history: SOURCE_DATE_EPOCH when given, else now.
struct BuildClock: Sendable {
    let epoch: Int?
    let now = Date()

    var created: String {
        BuildClock.timestamp(epoch.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? now)
    }

    /// `date` as RFC 3339 in UTC, to the second (`2026-11-30T12:00:00Z`): how config, history,
    /// provenance and SBOM times are written.
    static func timestamp(_ date: Date) -> String {
        // The Swift format style: ISO8601DateFormatter loads ICU's calendars on every call.
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// mtime for directories a COPY creates: fixed, so layer digests do not depend on when the build ran.
    var createdDirectoryTime: Int { epoch ?? 0 }

    /// `entry` with its mtime (seconds) clamped to SOURCE_DATE_EPOCH when given, so a layer does
    /// not depend on when its files were touched; as it is otherwise.
    func clamped(_ entry: LayerEntry) -> LayerEntry {
        guard let epoch, entry.mtime > epoch else { return entry }
        var clamped = entry
        clamped.mtime = epoch
        return clamped
    }
}
