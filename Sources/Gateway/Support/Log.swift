// JSON-lines logs on stderr. One line per event; fields are escaped; writes go straight to fd 2
// (Swift 6 refuses the C `stderr` global). Small lines written with one write(2) do not interleave.
import Glibc

/// A JSON-lines logger writing to standard error.
public enum Log {
    /// Log severity.
    public enum Level: String, Sendable { case debug, info, warning, error }

    /// Writes one JSON line: `{"ts":..., "level":..., "msg":..., fields...}`.
    public static func write(_ level: Level, _ message: String, _ fields: [(String, String)] = []) {
        var line = "{\"ts\":\"" + WallClock.isoNow() + "\",\"level\":\"" + level.rawValue + "\",\"msg\":"
        line += JSONText.quoted(message)
        for (k, v) in fields { line += "," + JSONText.quoted(k) + ":" + JSONText.quoted(v) }
        line += "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    public static func info(_ message: String, _ fields: [(String, String)] = []) { write(.info, message, fields) }
    public static func warning(_ message: String, _ fields: [(String, String)] = []) { write(.warning, message, fields) }
    public static func error(_ message: String, _ fields: [(String, String)] = []) { write(.error, message, fields) }
}
