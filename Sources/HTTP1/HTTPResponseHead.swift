/// A parsed, validated response head (RFC 9112 §4, §5, §6). The reason phrase is not kept.
public struct HTTPResponseHead: Equatable, Sendable {
    /// HTTP/1.0 or HTTP/1.1.
    public var version: HTTPVersion
    /// The status code, 100...599.
    public var status: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// Whether the connection can carry another request after this exchange (RFC 9112 §9.3): HTTP/1.1
    /// unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive` and no `close`; never
    /// when the body runs until the close.
    public var keepAlive: Bool
    /// How the body is delimited; ``BodyFraming/none`` for a response to HEAD and for 1xx, 204, 304.
    public var framing: BodyFraming

    /// Creates a head, mainly for tests; the parser is the normal source.
    /// - Parameters:
    ///   - version: protocol version.
    ///   - status: status code.
    ///   - headers: header fields.
    ///   - keepAlive: connection persistence.
    ///   - framing: body delimitation.
    public init(
        version: HTTPVersion = .http1_1,
        status: Int,
        headers: HTTPHeaders = HTTPHeaders(),
        keepAlive: Bool = true,
        framing: BodyFraming = .none
    ) {
        self.version = version
        self.status = status
        self.headers = headers
        self.keepAlive = keepAlive
        self.framing = framing
    }

    /// `true` for a 1xx interim response (RFC 9110 §15.2): the final response is still to come.
    public var isInterim: Bool { status < 200 }
}
