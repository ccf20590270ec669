// HTTPResponseParser: HTTP/1.1 response bytes -> validated response heads and decoded bodies, for the
// webhook client. The response-side twin of HTTPRequestParser, built from the same pieces: HeadScanner
// (lines, limits, field lines), FieldSemantics (framing, persistence), BodyDecoder and ChunkedDecoder.
//
// CONTRACT (as HTTPRequestParser's, plus what a client needs)
// - Pure: no I/O, no clocks, no Foundation. parseHead(_:requestMethod:) is given the connection's
//   unconsumed input from the first byte of the current response; it never rescans bytes, so input
//   arriving one byte at a time costs O(n) in total. The caller may append bytes and move the unconsumed
//   bytes to the front between calls, but must not change or drop them until a head is returned.
// - A 1xx head comes back as `.interim`: advance by `consumed` and call parseHead again for the final
//   response to the same request. No reset is needed in between.
// - parseBody(_:into:) consumes body bytes and reports how much; bytes after the body are left for the
//   next response (pipelining). A body framed by the close (BodyFraming.untilClose) is complete only
//   when finish() is called at end of input; finish() also tells a clean close from a truncated message.
// - Every rule violation throws an HTTPParseError after which the connection must be closed; errors are
//   sticky until reset(). Limits apply as bytes arrive: status line (HTTPLimits.maxRequestLineBytes),
//   head, field count, and body bytes (a body over maxBodyBytes is an error: the client discards it,
//   but never buffers without bound).
// - Strict against response smuggling and desynchronisation (RFC 9112 §11.2): CRLF only, no obs-fold,
//   no whitespace before colons, one Content-Length value, chunked only as the one final coding, never
//   Content-Length and Transfer-Encoding together. Every error is the same however the input was split.
//
// RFC 9112 sections implemented: §2.2 (CRLF; no empty lines before a status line), §2.3 (version),
// §4 (status line), §5, §5.1, §5.2 (fields, obs-fold), §6.1, §6.3 (message body length, items 1 and
// 3 to 8), §7.1 (chunked), §8 (incomplete messages), §9.3 (persistence).

/// Incremental, resumable HTTP/1.1 response parser (RFC 9112). One per client connection, reused via
/// ``reset()`` for the next response on a kept-alive connection.
///
/// Typical use with a `[UInt8]` input buffer and a read index: call ``parseHead(_:from:requestMethod:)``
/// until it returns `.head` (skipping `.interim` heads), advance by `consumed`, then call
/// ``parseBody(_:from:into:)`` until the body is complete (or, for ``BodyFraming/untilClose``, call
/// ``finish()`` when the peer closes); then ``reset()`` for the next response.
public struct HTTPResponseParser: Sendable {
    /// The limits in force (clamped to what the parser can represent).
    public var limits: HTTPLimits { core.limits }

    private var core: MessageParser<StatusLine>

    /// Creates a parser.
    /// - Parameter limits: size limits; ``HTTPLimits/maxRequestLineBytes`` bounds the status line.
    public init(limits: HTTPLimits = HTTPLimits()) {
        core = MessageParser(limits: limits)
    }

    /// Forgets everything about the current response (and a previous error): ready for the next one.
    public mutating func reset() {
        core.reset()
    }

    /// Parses a response head from `bytes[start...]`; the array form of ``parseHead(_:requestMethod:)``.
    /// - Parameters:
    ///   - bytes: the connection's input buffer.
    ///   - start: the read index: first byte of the current response (`0...bytes.count`).
    ///   - requestMethod: the method of the request being answered; only `HEAD` changes the framing.
    /// - Returns: `.needMore`, or an interim or final head and its length in bytes from `start`.
    /// - Throws: an ``HTTPParseError`` when the input is invalid or over a limit.
    public mutating func parseHead(_ bytes: [UInt8], from start: Int,
                                   requestMethod: HTTPMethod = .get) throws(HTTPParseError) -> ResponseHeadResult {
        try ByteScan.withBytes(bytes, from: start) { buffer throws(HTTPParseError) in
            try parseHead(buffer, requestMethod: requestMethod)
        }
    }

    /// Parses a response head from `buffer`, which starts at the first byte of the current response and
    /// holds all bytes received for it so far (see the contract at the top of this file).
    /// - Parameters:
    ///   - buffer: unconsumed input, from the start of the response.
    ///   - requestMethod: the method of the request being answered: a response to `HEAD` has no body
    ///     (RFC 9112 §6.3 item 1).
    /// - Returns: `.needMore`, `.interim(head, consumed:)` for a 1xx, or `.head(head, consumed:)`.
    /// - Throws: ``HTTPParseError/badStatusLine``, ``HTTPParseError/statusLineTooLong``,
    ///   ``HTTPParseError/versionNotSupported``, ``HTTPParseError/unexpectedUpgrade`` (101), the field
    ///   and limit errors of the request parser, and the framing errors of RFC 9112 §6.3.
    public mutating func parseHead(_ buffer: UnsafeRawBufferPointer,
                                   requestMethod: HTTPMethod = .get) throws(HTTPParseError) -> ResponseHeadResult {
        let complete = try core.parseHead(buffer) { line, semantics, limits throws(HTTPParseError) in
            // RFC 9110 §15.2.2: 101 switches the connection away from HTTP/1.1; we never ask for that.
            if line.status == 101 { throw .unexpectedUpgrade }
            return try semantics.finishResponse(version: line.version, status: line.status,
                                                requestMethod: requestMethod, limits: limits)
        }
        guard let complete else { return .needMore }
        let head = HTTPResponseHead(version: complete.line.version, status: complete.line.status,
                                    headers: complete.headers, keepAlive: complete.outcome.keepAlive,
                                    framing: complete.outcome.framing)
        return head.isInterim ? .interim(head, consumed: complete.consumed) : .head(head, consumed: complete.consumed)
    }

    /// The array form of ``parseBody(_:into:)``, as ``HTTPRequestParser/parseBody(_:from:into:)``.
    /// - Throws: as ``parseBody(_:into:)``.
    public mutating func parseBody(_ bytes: [UInt8], from start: Int, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        try ByteScan.withBytes(bytes, from: start) { buffer throws(HTTPParseError) in try parseBody(buffer, into: &body) }
    }

    /// Decodes the body of the final head last returned: Content-Length bytes, the chunked coding
    /// (RFC 9112 §7.1; trailers discarded), or everything until the close, appending it to `body`.
    /// Returns `complete` at once for ``BodyFraming/none``, and never for ``BodyFraming/untilClose``
    /// (see ``finish()``). Consumes nothing past the end of the body.
    /// - Throws: ``HTTPParseError/badChunk``, ``HTTPParseError/bodyTooLarge`` as soon as the body would
    ///   pass ``HTTPLimits/maxBodyBytes``, ``HTTPParseError/trailersTooLarge``.
    public mutating func parseBody(_ buffer: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        try core.parseBody(buffer, into: &body)
    }

    /// Reports the end of input (the server closed the connection, RFC 9112 §8). Completes a body
    /// framed by the close; between responses it does nothing. Call it after giving ``parseBody(_:into:)``
    /// every byte received.
    /// - Throws: ``HTTPParseError/truncatedMessage`` when the close came inside a head or inside a
    ///   Content-Length or chunked body; the sticky error of an earlier call.
    public mutating func finish() throws(HTTPParseError) {
        try core.finish()
    }
}
