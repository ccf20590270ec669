/// How the request body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Equatable, Hashable, Sendable {
    /// No body: neither Content-Length nor Transfer-Encoding, or `Content-Length: 0`.
    case none
    /// Exactly this many bytes follow the head (always > 0 and <= ``HTTPLimits/maxBodyBytes``).
    case contentLength(Int)
    /// `Transfer-Encoding: chunked` (RFC 9112 §7.1).
    case chunked
}
