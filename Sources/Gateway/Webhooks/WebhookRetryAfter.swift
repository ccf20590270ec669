// `Retry-After` on a 429/503 answer (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. HTTP1's
// `HTTPDate` only formats, so the date is parsed here: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
// and, as RFC 9110 §5.6.7 asks of recipients, the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`,
// two-digit years read as 1970-2069) and asctime (`Sun Nov  6 08:49:37 1994`) forms. Pure integer math.

/// Parses `Retry-After` into a delay.
public enum WebhookRetryAfter {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The delay a `Retry-After` value asks for.
    /// - Parameters:
    ///   - value: the header value.
    ///   - nowMillis: the injected clock, Unix ms (a date is counted from it; a past date is 0).
    /// - Returns: milliseconds (not clamped), or `nil` when the value is neither form.
    public static func delayMillis(_ value: String, nowMillis: Int64) -> Int64? {
        let v = Substring(value).trimmingSpaces
        if !v.isEmpty, v.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard v.utf8.count <= 12, let seconds = Int64(v) else { return nil }
            return seconds * 1000
        }
        guard let date = unixSeconds(httpDate: v) else { return nil }
        return max(0, date * 1000 - nowMillis)
    }

    /// Unix seconds of an HTTP-date in any of the three RFC 9110 forms, or `nil`.
    public static func unixSeconds(httpDate text: String) -> Int64? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," }).map { String($0).lowercased() }
        switch tokens.count {
        case 6 where tokens[5] == "gmt":  // IMF-fixdate: day, DD, Mon, YYYY, time, GMT
            guard tokens[1].count == 2, tokens[3].count == 4, let y = Int(tokens[3]) else { return nil }
            return assemble(year: y, month: tokens[2], day: tokens[1], time: tokens[4])
        case 4 where tokens[3] == "gmt":  // RFC 850: weekday, DD-Mon-YY, time, GMT
            let parts = tokens[1].split(separator: "-").map(String.init)
            guard parts.count == 3, parts[0].count == 2, parts[2].count == 2, let yy = Int(parts[2]) else { return nil }
            return assemble(year: yy < 70 ? 2000 + yy : 1900 + yy, month: parts[1], day: parts[0], time: tokens[2])
        case 5:  // asctime: day, Mon, D, time, YYYY
            guard tokens[4].count == 4, let y = Int(tokens[4]) else { return nil }
            return assemble(year: y, month: tokens[1], day: tokens[2], time: tokens[3])
        default:
            return nil
        }
    }

    private static func assemble(year: Int, month: String, day: String, time: String) -> Int64? {
        guard let m = months.firstIndex(of: month), day.count <= 2, day.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let d = Int(day) else { return nil }
        let hms = time.split(separator: ":")
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let h = Int(hms[0]), let mi = Int(hms[1]), let s = Int(hms[2]),
              h < 24, mi < 60, s < 61, year >= 1, year <= 9999, d >= 1, d <= WallClock.daysInMonth(m + 1, year: year) else { return nil }
        return WallClock.days(fromCivil: year, m + 1, d) * 86_400 + Int64(h * 3600 + mi * 60 + min(s, 59))
    }
}
