/// The first line of a message head (RFC 9112 §2.1): a request line (§3) or a status line (§4).
/// ``HeadScanner`` is generic over it, so the request and response parsers share one head scanner.
protocol StartLine: Sendable {
    /// Parses `base[start..<end]` (CRLF already stripped).
    /// - Throws: an ``HTTPParseError`` when the line is malformed.
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> Self
    /// The error for a line longer than ``HTTPLimits/maxRequestLineBytes``.
    static var tooLong: HTTPParseError { get }
    /// Whether empty lines before the start line are skipped. RFC 9112 §2.2 asks this of a server
    /// reading a request line; a client reading a status line gets no such leniency here.
    static var skipsLeadingEmptyLines: Bool { get }
    /// Whether the request-only fields (Host, Expect) are judged (see ``FieldSemantics``).
    static var isRequest: Bool { get }
}
