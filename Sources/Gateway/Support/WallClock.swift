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
}
