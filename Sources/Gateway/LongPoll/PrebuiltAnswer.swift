// The pieces of a fan-out answer, as bytes: what every poll of a room version shares is built once per
// wake, what belongs to one poll (its session's ETag part and body tail, its RateLimit and
// Preference-Applied lines) once when it parks. All of it is server-generated text.

/// A 200 state answer in pieces, for `Connection.respondPrebuilt`.
struct PrebuiltAnswer {
    static let statusLine = Array("HTTP/1.1 200 OK\r\n".utf8)
    /// `\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` (ends the Date line first).
    static let sharedStateLines = Array("\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n".utf8)

    var sharedLines: [UInt8]
    /// `ETag: "r<version>`
    var etagHead: [UInt8]
    /// `s<session version>-<hash>` or empty.
    var etagSession: [UInt8]
    /// `l"\r\n` or `a"\r\n`
    var etagTail: [UInt8]
    /// The poll's own header lines, each ending in CRLF.
    var extraLines: [UInt8]
    var bodyPrefix: [UInt8]
    var bodyTail: [UInt8]

    /// Header lines for `fields` (server-generated names and values), each ending in CRLF.
    static func lines(_ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (n, v) in fields {
            out.append(contentsOf: n.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: v.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        return out
    }
}
