import Foundation
import Testing
@testable import HoistBuild

/// The times written into configs, history and attestations: RFC 3339, UTC, whole seconds.
struct BuildClockTests {
    @Test(arguments: [(1_700_000_000.0, "2023-11-14T22:13:20Z"), (0.0, "1970-01-01T00:00:00Z"), (1_796_046_239.9, "2026-11-30T13:43:59Z")])
    func timestampIsRFC3339InUTCToTheSecond(seconds: Double, expected: String) {
        #expect(BuildClock.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test
    func sourceDateEpochIsTheCreatedTime() {
        #expect(BuildClock(epoch: 1_700_000_000).created == "2023-11-14T22:13:20Z")
    }
}
