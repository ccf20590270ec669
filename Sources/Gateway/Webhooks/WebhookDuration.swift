// Durations of the webhook `serve` settings (contract §9): `--webhook-retry-schedule 0,5s,5m,30m,2h`
// (or `0,50ms,100ms`), `--webhook-disable-after 5d`, `--webhook-rotation-grace 24h`. A duration is a
// whole number followed by `ms`, `s`, `m`, `h` or `d`; a bare number is seconds. Milliseconds out.

/// Parses webhook durations into milliseconds.
public enum WebhookDuration {
    /// Largest accepted duration: 366 days, in milliseconds.
    public static let maxMillis: Int64 = 366 * 86_400_000
    /// Most entries in a retry schedule.
    public static let maxScheduleEntries = 100

    private static let units: [(suffix: String, millis: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]

    /// One duration, e.g. `5m`, `50ms`, `0`.
    /// - Returns: milliseconds (0...``maxMillis``), or `nil` for any other text.
    public static func parseMillis(_ text: String) -> Int64? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        let suffix = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 12, let value = Int64(digits) else { return nil }
        let unit: Int64
        if suffix.isEmpty {
            unit = 1000
        } else if let match = units.first(where: { $0.suffix == suffix }) {
            unit = match.millis
        } else {
            return nil
        }
        let (millis, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow, millis <= maxMillis else { return nil }
        return millis
    }

    /// A comma-separated retry schedule, e.g. `0,5s,5m`.
    /// - Returns: the delays in milliseconds (1...``maxScheduleEntries`` of them), or a one-line error.
    public static func parseSchedule(_ text: String) -> Result<[Int64], ConfigurationError> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= maxScheduleEntries else {
            return .failure(ConfigurationError("--webhook-retry-schedule: expected 1-\(maxScheduleEntries) comma-separated durations"))
        }
        var out: [Int64] = []
        for part in parts {
            guard let ms = parseMillis(String(part)) else {
                return .failure(ConfigurationError("--webhook-retry-schedule: '\(part)' is not a duration such as 0, 50ms, 5s, 5m, 2h or 1d"))
            }
            out.append(ms)
        }
        return .success(out)
    }
}
