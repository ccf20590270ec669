/// How a message body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Equatable, Hashable, Sendable {
    /// No body: neither Content-Length nor Transfer-Encoding, `Content-Length: 0`, or a response that
    /// never has one (to HEAD; 1xx, 204, 304).
    case none
    /// Exactly this many bytes follow the head (always > 0 and <= ``HTTPLimits/maxBodyBytes``).
    case contentLength(Int)
    /// `Transfer-Encoding: chunked` (RFC 9112 §7.1).
    case chunked
    /// Responses only: neither field, so the body runs until the server closes the connection
    /// (RFC 9112 §6.3 item 8); ``HTTPResponseParser/finish()`` completes it. Never persistent.
    case untilClose
}
