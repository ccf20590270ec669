/// IMF-fixdate formatting for the Date header (RFC 9110 §5.6.7), with integer math only.
///
/// Format once per second and reuse the result: `Sun, 06 Nov 1994 08:49:37 GMT` (always 29 bytes).
public enum HTTPDate {
    /// Earliest second that has a four-digit year: 0001-01-01T00:00:00Z.
    private static let minSeconds = -62_135_596_800
    /// Latest second that has a four-digit year: 9999-12-31T23:59:59Z.
    private static let maxSeconds = 253_402_300_799

    /// Formats a Unix time as an IMF-fixdate String.
    /// - Parameter unixSeconds: seconds since 1970-01-01T00:00:00Z; clamped to years 0001...9999.
    /// - Returns: e.g. `"Thu, 01 Jan 1970 00:00:00 GMT"` for 0.
    public static func imfFixdate(unixSeconds: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        appendIMFFixdate(unixSeconds: unixSeconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the IMF-fixdate for a Unix time to `out` (29 bytes).
    /// - Parameters:
    ///   - unixSeconds: seconds since 1970-01-01T00:00:00Z; clamped to years 0001...9999.
    ///   - out: the buffer to append to.
    public static func appendIMFFixdate(unixSeconds: Int, to out: inout [UInt8]) {
        let t = min(max(unixSeconds, minSeconds), maxSeconds)
        // Floor division, so times before 1970 land on the right day.
        var days = t / 86_400
        var secondOfDay = t % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        // 1970-01-01 was a Thursday; index 0 is Sunday.
        let weekday = ((days % 7) + 11) % 7
        let (year, month, day) = civil(fromDays: days)

        out.append(contentsOf: dayNames[weekday].utf8)
        out.append(contentsOf: ", ".utf8)
        appendTwoDigits(day, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: monthNames[month - 1].utf8)
        out.append(UInt8(ascii: " "))
        appendTwoDigits(year / 100, to: &out)
        appendTwoDigits(year % 100, to: &out)
        out.append(UInt8(ascii: " "))
        appendTwoDigits(secondOfDay / 3600, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay / 60 % 60, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay % 60, to: &out)
        out.append(contentsOf: " GMT".utf8)
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Proleptic Gregorian date for days since 1970-01-01 (H. Hinnant's `civil_from_days`, eras of
    /// 400 years = 146097 days).
    private static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    @inline(__always)
    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value / 10) &+ UInt8(ascii: "0"))
        out.append(UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0"))
    }
}
