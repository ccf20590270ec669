/// Why ``HTTPRequestEncoder`` refused to encode a request. Nothing is appended when it throws.
public struct HTTPRequestError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: UInt8, Sendable {
        case invalidMethod, invalidTarget, invalidHost, invalidHeaderName, invalidHeaderValue, reservedHeader
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// A method that is empty or not a token (RFC 9110 §9.1).
    public static let invalidMethod = HTTPRequestError(.invalidMethod)
    /// A target that is not origin-form (`/` then visible ASCII, no `#`; RFC 9112 §3.2.1).
    public static let invalidTarget = HTTPRequestError(.invalidTarget)
    /// A Host value that is empty or holds bytes a field value may not.
    public static let invalidHost = HTTPRequestError(.invalidHost)
    /// A header name that is empty or not a token (RFC 9110 §5.1).
    public static let invalidHeaderName = HTTPRequestError(.invalidHeaderName)
    /// A header value with CR, LF, NUL or another control byte: refused to prevent header injection.
    public static let invalidHeaderValue = HTTPRequestError(.invalidHeaderValue)
    /// `Host`, `Content-Length` or `Transfer-Encoding` among the extra headers: the encoder writes those.
    public static let reservedHeader = HTTPRequestError(.reservedHeader)

    /// Text for logs.
    public var description: String {
        switch reason {
        case .invalidMethod: "invalid request method"
        case .invalidTarget: "invalid request target"
        case .invalidHost: "invalid Host value"
        case .invalidHeaderName: "invalid request header name"
        case .invalidHeaderValue: "invalid request header value"
        case .reservedHeader: "Host, Content-Length and Transfer-Encoding are written by the encoder"
        }
    }
}
