/// Decodes one message body as its ``BodyFraming`` says (RFC 9112 §6.3, §7.1), shared by the request
/// and response parsers. Bytes after the end of the body are never consumed.
struct BodyDecoder: Sendable {
    private enum State: Sendable {
        case idle
        case fixed(remaining: Int)
        case chunked(ChunkedDecoder)
        /// Until the connection closes; `room` is what ``HTTPLimits/maxBodyBytes`` still allows.
        case untilClose(room: Int)
    }

    private var state = State.idle

    /// Prepares for the body of a head just parsed.
    /// - Parameters:
    ///   - framing: how the body is delimited.
    ///   - limits: the parser's (normalized) limits.
    mutating func start(_ framing: BodyFraming, limits: HTTPLimits) {
        switch framing {
        case .none: state = .idle
        case .contentLength(let length): state = .fixed(remaining: length)
        case .chunked: state = .chunked(ChunkedDecoder(limits: limits))
        case .untilClose: state = .untilClose(room: limits.maxBodyBytes)
        }
    }

    /// Decodes from `buffer[0...]`, appending body bytes to `body`.
    /// - Returns: bytes consumed (never past the end of the body) and whether the body is complete.
    ///   An until-close body is complete only through ``finish()``.
    /// - Throws: ``HTTPParseError/badChunk``, ``HTTPParseError/bodyTooLarge``,
    ///   ``HTTPParseError/trailersTooLarge``.
    mutating func decode(_ buffer: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        switch state {
        case .idle:
            return BodyResult(consumed: 0, complete: true)
        case .fixed(let remaining):
            let n = min(remaining, buffer.count)
            if n > 0 { body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
            state = n == remaining ? .idle : .fixed(remaining: remaining &- n)
            return BodyResult(consumed: n, complete: n == remaining)
        case .chunked(var decoder):
            let result = try decoder.decode(buffer, into: &body)
            state = result.complete ? .idle : .chunked(decoder)
            return result
        case .untilClose(let room):
            // RFC 9112 §6.3 item 8: everything up to the close is body, bounded by the limit.
            guard buffer.count <= room else { throw .bodyTooLarge }
            if !buffer.isEmpty { body.append(contentsOf: buffer) }
            state = .untilClose(room: room &- buffer.count)
            return BodyResult(consumed: buffer.count, complete: false)
        }
    }

    /// The input ended (the peer closed the connection): completes an until-close body.
    /// - Throws: ``HTTPParseError/truncatedMessage`` when a Content-Length or chunked body is unfinished
    ///   (RFC 9112 §8: an incomplete message).
    mutating func finish() throws(HTTPParseError) {
        switch state {
        case .idle, .untilClose: state = .idle
        case .fixed, .chunked: throw .truncatedMessage
        }
    }
}
