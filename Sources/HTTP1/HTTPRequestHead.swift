/// A parsed, validated request head (RFC 9112 §3, §5, §6).
public struct HTTPRequestHead: Equatable, Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// HTTP/1.0 or HTTP/1.1.
    public var version: HTTPVersion
    /// The origin-form path, still percent-encoded, without the query; `"*"` for `OPTIONS *`.
    public var path: String
    /// The part after the first `?`, still percent-encoded; `nil` when there is no `?`.
    public var query: String?
    /// The header fields.
    public var headers: HTTPHeaders
    /// Whether the connection stays open after this exchange (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive` and no `close`.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (ignored on HTTP/1.0, RFC 9110 §10.1.1).
    public var expectsContinue: Bool
    /// How the body is delimited.
    public var framing: BodyFraming

    /// Creates a head, mainly for tests; the parser is the normal source.
    /// - Parameters:
    ///   - method: request method.
    ///   - version: protocol version.
    ///   - path: percent-encoded path without query.
    ///   - query: percent-encoded query, or `nil`.
    ///   - headers: header fields.
    ///   - keepAlive: connection persistence.
    ///   - expectsContinue: whether the client waits for 100 Continue.
    ///   - framing: body delimitation.
    public init(
        method: HTTPMethod,
        version: HTTPVersion = .http1_1,
        path: String,
        query: String? = nil,
        headers: HTTPHeaders = HTTPHeaders(),
        keepAlive: Bool = true,
        expectsContinue: Bool = false,
        framing: BodyFraming = .none
    ) {
        self.method = method
        self.version = version
        self.path = path
        self.query = query
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.framing = framing
    }
}
