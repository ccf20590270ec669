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
public struct HTTPRequestParser: Sendable, FieldLineParsing {
    private enum BodyState: Sendable {
        case idle
        case fixed(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    /// The limits in force (clamped to what the parser can represent).
    public let limits: HTTPLimits

    // Head scanning state. Offsets are relative to the start of the buffer passed to parseHead.
    private var scanOffset = 0
    private var lineStart = 0
    private var requestLine: RequestLine?
    var fields: [HTTPHeaders.Field] = []
    var semantics = FieldSemantics(checksRequestFields: true)

    private var bodyState = BodyState.idle
    private var failure: HTTPParseError?

    /// Creates a parser.
    /// - Parameter limits: size limits; the defaults suit the gateway.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits.normalized
    }

    /// Forgets everything about the current request (and a previous error): ready for the next request
    /// on the same connection.
    public mutating func reset() {
        resetHead()
        bodyState = .idle
        failure = nil
    }

    private mutating func resetHead() {
        scanOffset = 0
        lineStart = 0
        requestLine = nil
        fields = []
        semantics = FieldSemantics(checksRequestFields: true)
    }

    /// Parses a request head from `bytes[start...]`; the array form of ``parseHead(_:)``.
    /// - Parameters:
    ///   - bytes: the connection's input buffer.
    ///   - start: the read index: first byte of the current request (`0...bytes.count`).
    /// - Returns: `.needMore`, or the head and its length in bytes from `start`.
    /// - Throws: an ``HTTPParseError`` when the input is invalid or over a limit.
    public mutating func parseHead(_ bytes: [UInt8], from start: Int) throws(HTTPParseError) -> HeadResult {
        precondition(start >= 0 && start <= bytes.count, "read index outside the input buffer")
        let result: Result<HeadResult, HTTPParseError> = bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) {
                return .success(try parseHead(UnsafeRawBufferPointer(rebasing: raw[start...])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
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
        if let failure { throw failure }
        if buffer.count < scanOffset { resetHead() }
        guard let base = buffer.baseAddress else { return .needMore }
        do throws(HTTPParseError) {
            return try scanHead(base, end: buffer.count)
        } catch {
            failure = error
            throw error
        }
    }

    /// Takes every complete line after `scanOffset`; checks the limits on the incomplete rest.
    ///
    /// For each line the limits are checked before its content, so the error is the same however the
    /// input was split.
    private mutating func scanHead(_ base: UnsafeRawPointer, end: Int) throws(HTTPParseError) -> HeadResult {
        while let lf = ByteScan.firstLF(base, from: scanOffset, to: end) {
            let lineEnd = lf &+ 1
            scanOffset = lineEnd
            let hasCR = lf > lineStart && ByteScan.byte(base, lf &- 1) == ByteScan.cr
            let contentEnd = hasCR ? lf &- 1 : lf
            if requestLine == nil {
                guard contentEnd &- lineStart <= limits.maxRequestLineBytes else { throw .uriTooLong }
                guard lineEnd <= limits.maxHeaderBytes else { throw .headersTooLarge }
                // RFC 9112 §2.2: lines end in CRLF; we reject a bare LF rather than tolerate it.
                guard hasCR else { throw .bareLF }
                // RFC 9112 §2.2: empty lines before the request line are ignored.
                if contentEnd > lineStart {
                    requestLine = try RequestLine.parse(base, lineStart, contentEnd)
                }
            } else {
                guard lineEnd <= limits.maxHeaderBytes else { throw .headersTooLarge }
                guard hasCR else { throw .bareLF }
                if contentEnd == lineStart {
                    // The empty line ending the field section (RFC 9112 §2.1).
                    return .head(try finishHead(base, consumed: lineEnd), consumed: lineEnd)
                }
                guard fields.count < limits.maxHeaderCount else { throw .tooManyHeaders }
                try takeFieldLine(base, lineStart, contentEnd)
            }
            lineStart = lineEnd
        }
        scanOffset = end
        if requestLine == nil {
            // The request line is at least this long (a trailing CR may still be its terminator).
            var pending = end &- lineStart
            if pending > 0, ByteScan.byte(base, end &- 1) == ByteScan.cr { pending &-= 1 }
            if pending > limits.maxRequestLineBytes { throw .uriTooLong }
        } else if end > limits.maxHeaderBytes {
            throw .headersTooLarge
        }
        return .needMore
    }

    /// Judges the complete head, copies its bytes once and prepares body decoding.
    private mutating func finishHead(_ base: UnsafeRawPointer, consumed: Int) throws(HTTPParseError) -> HTTPRequestHead {
        guard let line = requestLine else { throw .badRequestLine }
        let outcome = try semantics.finish(version: line.version, limits: limits)
        let storage = [UInt8](UnsafeRawBufferPointer(start: base, count: consumed))
        let pathEnd = line.queryMark ?? line.targetEnd
        let (path, query) = storage.withUnsafeBufferPointer { buffer in
            let path = String(decoding: UnsafeBufferPointer(rebasing: buffer[line.targetStart..<pathEnd]), as: UTF8.self)
            let query = line.queryMark.map { mark in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[(mark + 1)..<line.targetEnd]), as: UTF8.self)
            }
            return (path, query)
        }
        let head = HTTPRequestHead(
            method: line.method, version: line.version, path: path, query: query,
            headers: HTTPHeaders(bytes: storage, fields: fields),
            keepAlive: outcome.keepAlive, expectsContinue: outcome.expectsContinue, framing: outcome.framing)
        switch outcome.framing {
        case .none: bodyState = .idle
        case .contentLength(let length): bodyState = .fixed(remaining: length)
        case .chunked: bodyState = .chunked(ChunkedDecoder(limits: limits))
        case .untilClose: bodyState = .idle  // responses only (RFC 9112 §6.3 item 8): never a request's framing
        }
        resetHead()
        return head
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
        precondition(start >= 0 && start <= bytes.count, "read index outside the input buffer")
        let result: Result<BodyResult, HTTPParseError> = bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) {
                return .success(try parseBody(UnsafeRawBufferPointer(rebasing: raw[start...]), into: &body))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
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
        if let failure { throw failure }
        switch bodyState {
        case .idle:
            return BodyResult(consumed: 0, complete: true)
        case .fixed(let remaining):
            let n = min(remaining, buffer.count)
            if n > 0 { body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
            bodyState = n == remaining ? .idle : .fixed(remaining: remaining &- n)
            return BodyResult(consumed: n, complete: n == remaining)
        case .chunked(var decoder):
            do throws(HTTPParseError) {
                let result = try decoder.decode(buffer, into: &body)
                bodyState = result.complete ? .idle : .chunked(decoder)
                return result
            } catch {
                failure = error
                throw error
            }
        }
    }
}
