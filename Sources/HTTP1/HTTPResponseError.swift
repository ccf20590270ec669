/// Why ``HTTPResponseEncoder`` refused to encode a response. Nothing is appended when it throws.
public struct HTTPResponseError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: UInt8, Sendable {
        case invalidStatus, invalidHeaderName, invalidHeaderValue, invalidContentLength
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// Status outside 100...999 (RFC 9110 §15: three digits).
    public static let invalidStatus = HTTPResponseError(.invalidStatus)
    /// A header name that is empty or not a token (RFC 9110 §5.1).
    public static let invalidHeaderName = HTTPResponseError(.invalidHeaderName)
    /// A header value with CR, LF, NUL or another control byte: refused to prevent header injection.
    public static let invalidHeaderValue = HTTPResponseError(.invalidHeaderValue)
    /// A negative Content-Length.
    public static let invalidContentLength = HTTPResponseError(.invalidContentLength)

    /// Text for logs.
    public var description: String {
        switch reason {
        case .invalidStatus: "invalid status code"
        case .invalidHeaderName: "invalid response header name"
        case .invalidHeaderValue: "invalid response header value"
        case .invalidContentLength: "invalid Content-Length"
        }
    }
}
