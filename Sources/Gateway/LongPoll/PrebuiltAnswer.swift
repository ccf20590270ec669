// The pieces of a fan-out answer, as bytes: what every poll of a room version shares is built once per
// wake (`PrebuiltAnswer`), what belongs to one poll (its session's ETag part, its RateLimit and
// Preference-Applied lines, its session's body tail) once when it parks (`PollBytes`). All of it is
// server-generated text. `AnswerScratch` assembles one answer with plain memory copies so the
// connection can send it without touching its own output buffer.

/// The parts of a 200 state answer shared by every poll of one room version and type.
struct PrebuiltAnswer {
    static let statusAndDateName: StaticString = "HTTP/1.1 200 OK\r\nDate: "

    /// `\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nETag: "r<version>` (ends the Date line).
    let afterDate: [UInt8]
    /// `l"\r\n` or `a"\r\n`: the rest of the ETag for the shown type.
    let etagTail: [UInt8]
    /// The room part of the body, up to `"session":`.
    let bodyPrefix: [UInt8]

    init(version: Int64, type: WebinarType, bodyPrefix: [UInt8]) {
        afterDate = Array("\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nETag: \"r\(version)".utf8)
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

/// Where an answer's bytes are written: the loop's scratch buffer or a connection's output buffer.
protocol AnswerBytesSink {
    mutating func put(_ raw: UnsafeRawBufferPointer)
}

extension AnswerBytesSink {
    mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBytes { put($0) } }

    mutating func put(_ s: StaticString) { put(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }

    mutating func put(_ s: String) {
        var s = s
        s.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `n` in decimal (n >= 0).
    mutating func putDecimal(_ n: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for any Int
        var v = max(0, n)
        var len = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - len] = UInt8(48 + v % 10)
                v /= 10
                len += 1
            } while v > 0 && len < 24
            put(UnsafeRawBufferPointer(rebasing: d[(24 - len)...]))
        }
    }
}

extension Array: AnswerBytesSink where Element == UInt8 {
    mutating func put(_ raw: UnsafeRawBufferPointer) { append(contentsOf: raw) }
}

/// A loop's buffer for assembling one answer (loop thread only; one per `LoopContext`).
final class AnswerScratch: AnswerBytesSink {
    /// Capacity in bytes; an answer that does not fit takes the connection's output buffer instead.
    static let capacityBytes = 16 * 1024
    let base: UnsafeMutableRawPointer
    private(set) var count = 0
    private(set) var overflowed = false

    init() {
        base = UnsafeMutableRawPointer.allocate(byteCount: Self.capacityBytes, alignment: 16)
    }

    deinit { base.deallocate() }

    func reset() {
        count = 0
        overflowed = false
    }

    func put(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0, let src = raw.baseAddress else { return }
        guard count + raw.count <= Self.capacityBytes else {
            overflowed = true
            return
        }
        (base + count).copyMemory(from: src, byteCount: raw.count)
        count += raw.count
    }

    var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
