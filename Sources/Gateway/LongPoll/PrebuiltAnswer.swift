// The pieces of a fan-out answer, as bytes: what every poll of a room version shares is built once per
// wake (`PrebuiltAnswer`), what belongs to one poll (its session's ETag part, its RateLimit and
// Preference-Applied lines, its session's body tail) once when it parks (`PollBytes`). All of it is
// server-generated text. `FanoutAnswer` hands both to the server core as a `PrewrittenResponse`; the core
// frames it (status line, Date, CORS, Content-Length, Connection) and copies the pieces into one send.
import HTTPServer

/// The parts of a 200 state answer shared by every poll of one room version and type (one per wake).
final class PrebuiltAnswer {
    /// `Content-Type: application/json\r\nCache-Control: no-store\r\nETag: "r<version>` (the ETag line's start).
    let fieldsHead: [UInt8]
    /// `l"\r\n` or `a"\r\n`: the rest of the ETag for the shown type.
    let etagTail: [UInt8]
    /// The room part of the body, up to `"session":`.
    let bodyPrefix: [UInt8]

    init(version: Int64, type: WebinarType, bodyPrefix: [UInt8]) {
        fieldsHead = Array("Content-Type: application/json\r\nCache-Control: no-store\r\nETag: \"r\(version)".utf8)
        etagTail = Array((type == .live ? "l\"\r\n" : "a\"\r\n").utf8)
        self.bodyPrefix = bodyPrefix
    }

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

/// One poll's own parts of its answer, in ONE array (one allocation per parked poll):
/// `sessionTag | extraLines | sessionTail`.
struct PollBytes {
    private(set) var bytes: [UInt8]
    private(set) var tagEnd: Int
    private(set) var linesEnd: Int

    /// - Parameters:
    ///   - sessionTag: the session part of the ETag (`s<version>-<hash>` or empty).
    ///   - extraLines: the poll's own header lines, each ending in CRLF.
    ///   - sessionTail: the session part of the body (`{...}}` or `null}`).
    init(sessionTag: String, extraLines: [UInt8], sessionTail: String) {
        var b: [UInt8] = []
        b.reserveCapacity(sessionTag.utf8.count + extraLines.count + sessionTail.utf8.count)
        b.append(contentsOf: sessionTag.utf8)
        tagEnd = b.count
        b.append(contentsOf: extraLines)
        linesEnd = b.count
        b.append(contentsOf: sessionTail.utf8)
        bytes = b
    }

    /// Replaces the session parts (after a session change), keeping the header lines.
    mutating func replaceSession(tag: String, tail: String) {
        let lines = Array(bytes[tagEnd..<linesEnd])
        self = PollBytes(sessionTag: tag, extraLines: lines, sessionTail: tail)
    }

    var tailCount: Int { bytes.count - linesEnd }

    /// The poll's extra header fields, read back from its lines (for the answers that take the general
    /// path: 304 at the deadline, re-reads, drain). The lines are server-generated `Name: value\r\n`.
    var extraHeaders: [(String, String)] {
        var out: [(String, String)] = []
        for line in bytes[tagEnd..<linesEnd].split(separator: UInt8(ascii: "\n")) {
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let value = text[(colon + 1)...].drop { $0 == UInt8(ascii: " ") }
            out.append((String(decoding: text[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return out
    }
}

/// One poll's fan-out answer: the room version's shared pieces around the poll's own. Two references
/// (fits an existential's inline buffer: no allocation per answer).
struct FanoutAnswer: PrewrittenResponse {
    let shared: PrebuiltAnswer
    let waiter: Waiter

    var status: Int { 200 }

    func writeFields(_ put: (UnsafeRawBufferPointer) -> Void) {
        shared.fieldsHead.withUnsafeBytes(put)
        let poll = waiter.poll
        poll.bytes.withUnsafeBytes { p in
            put(UnsafeRawBufferPointer(rebasing: p[0..<poll.tagEnd]))
            shared.etagTail.withUnsafeBytes(put)
            put(UnsafeRawBufferPointer(rebasing: p[poll.tagEnd..<poll.linesEnd]))
        }
    }

    var bodyCount: Int { shared.bodyPrefix.count + waiter.poll.tailCount }

    func writeBody(_ put: (UnsafeRawBufferPointer) -> Void) {
        shared.bodyPrefix.withUnsafeBytes(put)
        let poll = waiter.poll
        poll.bytes.withUnsafeBytes { p in put(UnsafeRawBufferPointer(rebasing: p[poll.linesEnd...])) }
    }
}
