// What the caller asks for: an origin, a target, a method, fields and a body.
import HTTP1

/// One request for `HTTPClient.execute`.
public struct ClientRequest: Sendable {
    /// Where it goes.
    public var origin: ClientOrigin
    /// Path and query, origin-form (`/hooks?x=1`).
    public var target: String
    /// The method.
    public var method: HTTPMethod
    /// Extra fields in order (not Host, Content-Length or Transfer-Encoding: the client writes those).
    public var headers: [(String, String)]
    /// The body (sent with a Content-Length).
    public var body: [UInt8]

    /// - Parameters:
    ///   - origin: scheme, host, port.
    ///   - target: path and query.
    ///   - method: the method (default POST).
    ///   - headers: extra fields.
    ///   - body: the content.
    public init(origin: ClientOrigin, target: String = "/", method: HTTPMethod = .post,
                headers: [(String, String)] = [], body: [UInt8] = []) {
        self.origin = origin
        self.target = target
        self.method = method
        self.headers = headers
        self.body = body
    }
}
