// HTTPRequestParser: HTTP/1.1 request bytes -> validated request heads and decoded bodies.
//
// CONTRACT
// - Pure: no I/O, no clocks, no Foundation, no allocation while scanning. Bytes are never turned into
//   Strings during the scan; the head is copied once when complete, and header values are decoded only
//   when a caller asks for them (HTTPHeaders).
// - parseHead(_:) is given the connection's unconsumed input, always starting at the first byte of the
//   current request. It remembers how far it has scanned and never looks at those bytes again, so input
//   arriving one byte at a time costs O(n) in total. Between calls the caller may append bytes and may
//   move the unconsumed bytes to the front of its buffer, but must not change or drop them until a head
//   is returned. If it passes fewer bytes than were already scanned, the parser starts the head over.
// - parseBody(_:into:) consumes what it is given (framing and data) and reports how much; the caller
//   advances its read index by that amount. Bytes after the end of the body are left for the next head.
//   Call it until the body is complete (at once for BodyFraming.none) before parsing the next head.
// - Every rule violation throws an HTTPParseError that closes the connection. An error is sticky: later
//   calls throw it again until reset(). Limits (HTTPLimits) are enforced as bytes arrive, before a line
//   or head is complete, so a peer cannot make the caller buffer unbounded input.
// - Strict by design against request smuggling (RFC 9112 §11.2): CRLF only, no obs-fold, no whitespace
//   before colons, one Content-Length value, Transfer-Encoding only as exactly one final "chunked",
//   never both. Every error is the same whichever way the input was split into reads.
//
// RFC 9112 sections implemented: §2.2 (message parsing, CRLF, leading empty lines), §2.3 (version),
// §3 (request line), §3.2 (request-target, Host), §5 (field syntax), §5.1, §5.2 (obs-fold), §6.1
// (Transfer-Encoding), §6.3 (message body length), §7.1 (chunked), §9.3 (persistence).

/// Incremental, resumable HTTP/1.1 request parser (RFC 9112). One per connection, reused via ``reset()``.
///
/// Typical use with a `[UInt8]` input buffer and a read index: call ``parseHead(_:from:)`` with the
/// read index until it returns a head, advance by `consumed`, then call ``parseBody(_:from:into:)``
/// until the body is complete, advancing by each `consumed`; then ``reset()`` for the next request.
public struct HTTPRequestParser: Sendable {
    /// The limits in force (clamped to what the parser can represent).
    public var limits: HTTPLimits { core.limits }

    private var core: MessageParser<RequestLine>

    /// Creates a parser.
    /// - Parameter limits: size limits; the defaults suit the gateway.
    public init(limits: HTTPLimits = HTTPLimits()) {
        core = MessageParser(limits: limits)
    }

    /// Forgets everything about the current request (and a previous error): ready for the next request
    /// on the same connection.
    public mutating func reset() {
        core.reset()
    }

    /// Parses a request head from `bytes[start...]`; the array form of ``parseHead(_:)``.
    /// - Parameters:
    ///   - bytes: the connection's input buffer.
    ///   - start: the read index: first byte of the current request (`0...bytes.count`).
    /// - Returns: `.needMore`, or the head and its length in bytes from `start`.
    /// - Throws: an ``HTTPParseError`` when the input is invalid or over a limit.
    public mutating func parseHead(_ bytes: [UInt8], from start: Int) throws(HTTPParseError) -> HeadResult {
        try ByteScan.withBytes(bytes, from: start) { buffer throws(HTTPParseError) in try parseHead(buffer) }
    }

    /// Parses a request head from `buffer`, which starts at the first byte of the current request and
    /// holds all bytes received for it so far (see the contract at the top of this file).
    ///
    /// Leading empty lines (CRLF) before the request line are skipped (RFC 9112 §2.2) and count toward
    /// `consumed` and ``HTTPLimits/maxHeaderBytes``.
    /// - Parameter buffer: unconsumed input, from the start of the request.
    /// - Returns: `.needMore`, or `.head(head, consumed:)` where `consumed` counts the head's bytes
    ///   including the final CRLF CRLF.
    /// - Throws: an ``HTTPParseError`` when the input is invalid, or as soon as a limit is certainly
    ///   exceeded (e.g. a request line over the limit with no CRLF yet: ``HTTPParseError/uriTooLong``).
    public mutating func parseHead(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> HeadResult {
        let complete = try core.parseHead(buffer) { line, semantics, limits throws(HTTPParseError) in
            try semantics.finish(version: line.version, limits: limits)
        }
        guard let complete else { return .needMore }
        return .head(Self.head(complete), consumed: complete.consumed)
    }

    /// Builds the public head from a complete one: the path and query are decoded here, once.
    private static func head(_ complete: MessageParser<RequestLine>.CompleteHead) -> HTTPRequestHead {
        let line = complete.line
        let pathEnd = line.queryMark ?? line.targetEnd
        let (path, query) = complete.storage.withUnsafeBufferPointer { buffer in
            let path = String(decoding: UnsafeBufferPointer(rebasing: buffer[line.targetStart..<pathEnd]), as: UTF8.self)
            let query = line.queryMark.map { mark in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[(mark + 1)..<line.targetEnd]), as: UTF8.self)
            }
            return (path, query)
        }
        let outcome = complete.outcome
        return HTTPRequestHead(
            method: line.method, version: line.version, path: path, query: query, headers: complete.headers,
            keepAlive: outcome.keepAlive, expectsContinue: outcome.expectsContinue, framing: outcome.framing)
    }

    /// Decodes body bytes from `bytes[start...]`; the array form of ``parseBody(_:into:)``.
    /// - Parameters:
    ///   - bytes: the connection's input buffer.
    ///   - start: the read index (`0...bytes.count`).
    ///   - body: decoded bytes are appended here.
    /// - Returns: input bytes consumed from `start`, and whether the body is complete.
    /// - Throws: ``HTTPParseError/badChunk``, ``HTTPParseError/bodyTooLarge``,
    ///   ``HTTPParseError/trailersTooLarge``.
    public mutating func parseBody(_ bytes: [UInt8], from start: Int, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        try ByteScan.withBytes(bytes, from: start) { buffer throws(HTTPParseError) in try parseBody(buffer, into: &body) }
    }

    /// Decodes the body of the head last returned by ``parseHead(_:)``: Content-Length bytes, or the
    /// chunked coding (RFC 9112 §7.1; extensions ignored, trailer section read and discarded).
    /// With ``BodyFraming/none`` it returns `complete` at once, consuming nothing.
    /// - Parameters:
    ///   - buffer: unconsumed input, starting right after what was consumed before.
    ///   - body: decoded bytes are appended here.
    /// - Returns: input bytes consumed (never past the end of the body) and whether the body is complete.
    /// - Throws: ``HTTPParseError/badChunk`` for malformed chunk framing (bad or overflowing size, missing
    ///   CRLF after data, bad extension or trailer bytes), ``HTTPParseError/bodyTooLarge`` as soon as a
    ///   chunk would take the total over ``HTTPLimits/maxBodyBytes``, ``HTTPParseError/trailersTooLarge``.
    public mutating func parseBody(_ buffer: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        try core.parseBody(buffer, into: &body)
    }
}
