// Wall-clock time for logs and payloads (ISO-8601 UTC with milliseconds and `Z`), by integer math.
import Glibc

/// Wall-clock helpers.
public enum WallClock {
    /// Milliseconds since the Unix epoch.
    public static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Now as `2026-11-29T10:15:30.123Z`.
    public static func isoNow() -> String { iso(millis: nowMillis()) }

    /// Formats Unix milliseconds as ISO-8601 UTC with milliseconds and `Z`.
    public static func iso(millis: Int64) -> String {
        let secs = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - secs * 1000)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = Int(secs - days * 86_400)
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2)).\(pad(ms, 3))Z"
    }

    /// Days since 1970-01-01 to (year, month, day) — H. Hinnant's civil_from_days.
    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// Days in `month` (1-12) of `year` (proleptic Gregorian).
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// (year, month, day) to days since 1970-01-01 — H. Hinnant's days_from_civil.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`, with an optional fraction of 1-9 digits before the `Z` (what
    /// ``iso(millis:)`` writes), to Unix milliseconds (the fraction truncated); nil for any other text
    /// or an impossible date.
    public static func millis(iso text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 30, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b.last == 0x5A else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        guard (1...daysInMonth(month, year: year)).contains(day) else { return nil }
        var ms: Int64 = 0
        if b.count > 20 {
            // ".d…dZ": 1-9 digits.
            guard b[19] == 0x2E, b.count - 21 >= 1, b.count - 21 <= 9, let fraction = number(20, b.count - 21) else { return nil }
            var f = fraction, digits = b.count - 21
            while digits > 3 { f /= 10; digits -= 1 }
            while digits < 3 { f *= 10; digits += 1 }
            ms = Int64(f)
        }
        let secs = days(fromCivil: year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return secs * 1000 + ms
    }
}
