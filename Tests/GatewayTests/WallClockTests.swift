// WallClock's ISO-8601 parsing against its own formatting (round trips across eras, leap days and
// fractions) and the texts it must refuse.
import Testing
@testable import Gateway

@Suite struct WallClockTests {
    @Test func parsesWhatItFormats() {
        var ms: Int64 = -62_135_596_800_000  // 0001-01-01
        while ms < 253_402_300_799_000 {     // 9999-12-31
            #expect(WallClock.millis(iso: WallClock.iso(millis: ms)) == ms, "\(WallClock.iso(millis: ms))")
            ms += 7_777_777_777_777 / 97
        }
        #expect(WallClock.millis(iso: "1970-01-01T00:00:00Z") == 0)
        #expect(WallClock.millis(iso: "2024-02-29T23:59:59.9Z") == 1_709_251_199_900)
        #expect(WallClock.millis(iso: "2026-12-04T10:00:00.123456789Z") == WallClock.millis(iso: "2026-12-04T10:00:00.123Z"))
    }

    @Test(arguments: ["", "2026-12-04", "2026-12-04T10:00:00", "2026-12-04T10:00:00+00:00", "2026-13-01T00:00:00Z",
                      "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-04T24:00:00Z", "2026-12-04T10:60:00Z",
                      "2026-12-04T10:00:60Z", "2026-12-04t10:00:00Z", "2026-12-04T10:00:00.Z", "2026-12-04T10:00:00.1234567890Z",
                      "20a6-12-04T10:00:00Z", "2026-12-04T10:00:00.12xZ", " 2026-12-04T10:00:00Z"])
    func refuses(_ text: String) {
        #expect(WallClock.millis(iso: text) == nil)
    }
}
