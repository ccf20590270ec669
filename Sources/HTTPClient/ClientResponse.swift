// What comes back: the final response's status, fields and decoded body.
import HTTP1

/// A final (non-1xx) response. Redirects are not followed: a 3xx is returned like any other status.
public struct ClientResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The response fields.
    public let headers: HTTPHeaders
    /// The decoded body (chunked coding removed).
    public let body: [UInt8]
}
