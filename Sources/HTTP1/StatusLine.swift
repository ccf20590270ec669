/// The status line of a response head being parsed (RFC 9112 §4). The reason phrase is checked for
/// its bytes and then ignored, as RFC 9112 §4 tells a client to do.
struct StatusLine: StartLine {
    var version: HTTPVersion
    /// The status code, 100...599.
    var status: Int

    static var tooLong: HTTPParseError { .statusLineTooLong }
    static var skipsLeadingEmptyLines: Bool { false }
    static var isRequest: Bool { false }

    /// Parses `base[start..<end]` (CRLF already stripped) as
    ///
    ///     status-line   = HTTP-version SP status-code SP [ reason-phrase ]     (RFC 9112 §4)
    ///     status-code   = 3DIGIT
    ///     reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    ///
    /// with exactly one SP before the code. The SP after the code is required unless the line ends
    /// right after the code: senders that drop it with an empty reason are common, and the line cannot
    /// be read two ways.
    /// - Throws: ``HTTPParseError/badStatusLine`` (also for a code outside 100...599, RFC 9110 §15),
    ///   ``HTTPParseError/bareCR``, ``HTTPParseError/versionNotSupported``.
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> StatusLine {
        let versionEnd = start &+ 8
        guard versionEnd <= end, let version = try HTTPVersion.parse(base, start, versionEnd) else {
            throw rejection(base, start, end)
        }
        let codeStart = versionEnd &+ 1
        let codeEnd = codeStart &+ 3
        guard codeEnd <= end, ByteScan.byte(base, versionEnd) == ByteScan.sp else {
            throw rejection(base, versionEnd, end)
        }
        var status = 0
        var i = codeStart
        while i < codeEnd {
            let digit = ByteScan.byte(base, i) &- UInt8(ascii: "0")
            guard digit < 10 else { throw rejection(base, i, end) }
            status = status &* 10 &+ Int(digit)
            i &+= 1
        }
        guard (100...599).contains(status) else { throw .badStatusLine }
        if i < end {
            guard ByteScan.byte(base, i) == ByteScan.sp else { throw rejection(base, i, end) }
            i &+= 1
            // The reason phrase: field-value bytes, HTAB the only control allowed.
            while true {
                i = ByteScan.firstControl(base, from: i, to: end)
                if i == end { break }
                guard ByteScan.byte(base, i) == ByteScan.htab else { throw rejection(base, i, end) }
                i &+= 1
            }
        }
        return StatusLine(version: version, status: status)
    }

    /// The error for a status line that stops matching at `from`.
    private static func rejection(_ base: UnsafeRawPointer, _ from: Int, _ end: Int) -> HTTPParseError {
        ByteScan.bareCR(base, from, end) ?? .badStatusLine
    }
}
