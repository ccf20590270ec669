/// The request line of a head being parsed (RFC 9112 §3): method, target offsets, version.
///
/// Offsets are relative to the start of the buffer given to ``HTTPRequestParser/parseHead(_:)``, so
/// they stay valid while the caller appends bytes or moves the unconsumed bytes to the front.
struct RequestLine: StartLine {
    var method: HTTPMethod
    var version: HTTPVersion
    /// First byte of the request-target.
    var targetStart: Int
    /// One past the last byte of the request-target.
    var targetEnd: Int
    /// Offset of the first `?` in the target, if any.
    var queryMark: Int?

    static var tooLong: HTTPParseError { .uriTooLong }
    static var skipsLeadingEmptyLines: Bool { true }
    static var isRequest: Bool { true }

    /// Parses `base[start..<end]` (CRLF already stripped) as
    /// `method SP request-target SP HTTP-version` with exactly one SP each (RFC 9112 §3).
    /// - Throws: ``HTTPParseError/badRequestLine``, ``HTTPParseError/bareCR``,
    ///   ``HTTPParseError/versionNotSupported``, ``HTTPParseError/invalidRequestTarget``.
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> RequestLine {
        // method = token (RFC 9112 §3.1, RFC 9110 §9.1).
        var i = start
        while i < end, ByteScan.isTchar(ByteScan.byte(base, i)) { i &+= 1 }
        let methodEnd = i
        guard methodEnd > start, i < end, ByteScan.byte(base, i) == ByteScan.sp else {
            throw rejection(base, i, end)
        }
        i &+= 1

        // request-target: visible ASCII only, no whitespace (RFC 9112 §3.2); `#` never belongs in it.
        let targetStart = i
        var queryMark: Int?
        var sawFragment = false
        while i < end {
            // Fast path: runs of bytes that need no further thought.
            while i < end, Self.isPlainTargetByte(ByteScan.byte(base, i)) { i &+= 1 }
            guard i < end else { break }
            let b = ByteScan.byte(base, i)
            if b == ByteScan.sp { break }
            if b == UInt8(ascii: "?") {
                if queryMark == nil { queryMark = i }
            } else if b == UInt8(ascii: "#") {
                sawFragment = true
            } else {
                throw rejection(base, i, end)  // a CTL, DEL or non-ASCII byte
            }
            i &+= 1
        }
        let targetEnd = i
        // An empty target here also catches two SPs after the method.
        guard targetEnd > targetStart, i < end else { throw rejection(base, i, end) }
        i &+= 1

        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
        guard let version = try HTTPVersion.parse(base, i, end) else { throw rejection(base, i, end) }

        let method = HTTPMethod.parse(base, start, methodEnd)
        // Only origin-form, plus asterisk-form for OPTIONS (RFC 9112 §3.2.1, §3.2.4). absolute-form and
        // authority-form are refused: this server is no proxy and does not serve CONNECT.
        let first = ByteScan.byte(base, targetStart)
        if first == UInt8(ascii: "*") {
            guard targetEnd &- targetStart == 1, method == .options else { throw .invalidRequestTarget }
        } else if first != UInt8(ascii: "/") || sawFragment {
            throw .invalidRequestTarget
        }
        return RequestLine(method: method, version: version, targetStart: targetStart,
                           targetEnd: targetEnd, queryMark: queryMark)
    }

    /// VCHAR (0x21...0x7E) other than `?` and `#` (RFC 9112 §3.2, RFC 3986 §3.3).
    @inline(__always)
    private static func isPlainTargetByte(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x7FFF_FFF6_0000_0000
        let high: UInt64 = 0x7FFF_FFFF_FFFF_FFFF
        if byte < 64 { return (low >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (high >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    /// The error for a request line that stops matching at `from`.
    private static func rejection(_ base: UnsafeRawPointer, _ from: Int, _ end: Int) -> HTTPParseError {
        ByteScan.bareCR(base, from, end) ?? .badRequestLine
    }
}
