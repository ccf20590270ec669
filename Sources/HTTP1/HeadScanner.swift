/// Line-by-line scanning of one message head (RFC 9112 §2.1, §2.2, §5), shared by
/// ``HTTPRequestParser`` and ``HTTPResponseParser``: the start line, then field lines up to the empty
/// line, with every limit checked as bytes arrive.
///
/// Offsets are relative to the start of the buffer passed to ``scan(_:limits:)``, which always starts
/// at the first byte of the head; bytes already scanned are never looked at again.
struct HeadScanner<Line: StartLine>: Sendable, FieldLineParsing {
    private var scanOffset = 0
    private var lineStart = 0
    /// The parsed start line, once its CRLF has been seen.
    private var startLine: Line?
    /// One entry per field line so far, in arrival order.
    var fields: [HTTPHeaders.Field] = []
    /// What the framing and connection fields said so far.
    var semantics = FieldSemantics(checksRequestFields: Line.isRequest)

    /// `true` once any byte of the head has been scanned.
    var hasStarted: Bool { scanOffset > 0 }

    /// Takes every complete line after what was scanned before; checks the limits on the incomplete rest.
    ///
    /// For each line the limits are checked before its content, so the error is the same however the
    /// input was split. If `buffer` is shorter than what was already scanned, the head starts over.
    /// - Returns: once the head is complete, its start line and length in bytes (up to and including the
    ///   final CRLF CRLF), else `nil`. Then read ``fields`` and ``semantics``, and start the next head
    ///   with a fresh scanner.
    /// - Throws: ``HTTPParseError/headersTooLarge``, ``HTTPParseError/tooManyHeaders``,
    ///   ``HTTPParseError/bareLF``, `Line.tooLong`, and the errors of the start line and field lines.
    mutating func scan(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPParseError) -> (line: Line, consumed: Int)? {
        if buffer.count < scanOffset { self = HeadScanner() }
        guard let base = buffer.baseAddress else { return nil }
        let end = buffer.count
        while let lf = ByteScan.firstLF(base, from: scanOffset, to: end) {
            let lineEnd = lf &+ 1
            scanOffset = lineEnd
            let hasCR = lf > lineStart && ByteScan.byte(base, lf &- 1) == ByteScan.cr
            let contentEnd = hasCR ? lf &- 1 : lf
            if let line = startLine {
                guard lineEnd <= limits.maxHeaderBytes else { throw .headersTooLarge }
                guard hasCR else { throw .bareLF }
                // The empty line ending the field section (RFC 9112 §2.1).
                if contentEnd == lineStart { return (line, lineEnd) }
                guard fields.count < limits.maxHeaderCount else { throw .tooManyHeaders }
                try takeFieldLine(base, lineStart, contentEnd)
            } else {
                guard contentEnd &- lineStart <= limits.maxRequestLineBytes else { throw Line.tooLong }
                guard lineEnd <= limits.maxHeaderBytes else { throw .headersTooLarge }
                // RFC 9112 §2.2: lines end in CRLF; we reject a bare LF rather than tolerate it.
                guard hasCR else { throw .bareLF }
                // RFC 9112 §2.2: empty lines before a request line are ignored.
                if contentEnd > lineStart || !Line.skipsLeadingEmptyLines {
                    startLine = try Line.parse(base, lineStart, contentEnd)
                }
            }
            lineStart = lineEnd
        }
        scanOffset = end
        if startLine == nil {
            // The start line is at least this long (a trailing CR may still be its terminator).
            var pending = end &- lineStart
            if pending > 0, ByteScan.byte(base, end &- 1) == ByteScan.cr { pending &-= 1 }
            if pending > limits.maxRequestLineBytes { throw Line.tooLong }
        } else if end > limits.maxHeaderBytes {
            throw .headersTooLarge
        }
        return nil
    }
}
