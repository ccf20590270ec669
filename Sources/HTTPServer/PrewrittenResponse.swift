// The second kind of answer the core sends: one whose header fields and body the application already
// holds as bytes (the long-poll fan-out builds the shared parts once per wake, each poll's own parts once
// when it parks). The core still frames it — status line, Date, the exchange's own fields, Content-Length,
// Connection, HEAD — in `ResponseFraming`, the one place both kinds of answer are framed.

/// An answer whose header fields and body are ready-made bytes (server-generated, never client input).
/// Passed as an existential: keep conforming types within three words (class references to the bytes)
/// so handing one over allocates nothing.
public protocol PrewrittenResponse {
    /// The status code (metrics); the status line itself is written by the core.
    var status: Int { get }
    /// Hands the bytes of the header fields, in order, each field ending in CRLF, to `put`.
    func writeFields(_ put: (UnsafeRawBufferPointer) -> Void)
    /// The body's length in bytes.
    var bodyCount: Int { get }
    /// Hands the body's bytes, in order, to `put` (skipped for HEAD requests).
    func writeBody(_ put: (UnsafeRawBufferPointer) -> Void)
}

/// Where answer bytes are written: a loop's scratch buffer or a connection's output queue.
protocol ResponseByteSink {
    mutating func put(_ raw: UnsafeRawBufferPointer)
}

extension ResponseByteSink {
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

extension Array: ResponseByteSink where Element == UInt8 {
    mutating func put(_ raw: UnsafeRawBufferPointer) { append(contentsOf: raw) }
}

/// A loop's buffer for assembling one answer before its single send (loop thread only; one per loop).
final class ResponseScratch: ResponseByteSink {
    /// Capacity in bytes; an answer that does not fit is assembled in the connection's output queue instead.
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
