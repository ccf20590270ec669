import Foundation
import Testing
import HTTP1

@Suite("IMF-fixdate")
struct HTTPDateTests {
    @Test(arguments: [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (1_767_225_600, "Thu, 01 Jan 2026 00:00:00 GMT"),
        (1_772_411_696, "Mon, 02 Mar 2026 00:34:56 GMT"),
        (1_785_000_000, "Sat, 25 Jul 2026 17:20:00 GMT"),
        (1_798_761_599, "Thu, 31 Dec 2026 23:59:59 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (-62_135_596_800, "Mon, 01 Jan 0001 00:00:00 GMT"),
    ])
    func knownDates(seconds: Int, expected: String) {
        #expect(HTTPDate.imfFixdate(unixSeconds: seconds) == expected)
    }

    @Test func outOfRangeIsClamped() {
        #expect(HTTPDate.imfFixdate(unixSeconds: Int.max) == "Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(HTTPDate.imfFixdate(unixSeconds: Int.min) == "Mon, 01 Jan 0001 00:00:00 GMT")
    }

    @Test func appendsTwentyNineBytes() {
        var out: [UInt8] = [1]
        HTTPDate.appendIMFFixdate(unixSeconds: 784_111_777, to: &out)
        #expect(out.count == 30)
        #expect(out.first == 1)
    }

    @Test func matchesFoundationOnManyDates() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int.random(in: 0...4_102_444_800, using: &generator)  // 1970...2100
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(HTTPDate.imfFixdate(unixSeconds: seconds) == expected, "at \(seconds)")
        }
    }
}
