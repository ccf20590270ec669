// CORS for browsers on other origins (contract §2). Applied by the connection to EVERY answer of a
// request from an allowed origin — 304s and errors included, since Chromium rejects a 304 without
// Access-Control-Allow-Origin. Preflights are answered before routing, without auth. Unlisted origins
// get no CORS headers at all.
import HTTP1
import HTTPServer

/// The allow-list and the headers it produces.
public struct CORSPolicy: Sendable {
    /// Allowed origins, compared exactly (scheme://host[:port]).
    public let origins: Set<String>
    /// Seconds a browser may cache a preflight.
    public var preflightMaxAgeSeconds = 600

    static let allowHeaders = "Authorization, If-None-Match, Content-Type, Prefer, Idempotency-Key"
    static let allowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    static let exposeHeaders = "ETag, RateLimit, RateLimit-Policy, Retry-After, Preference-Applied"

    public init(origins: [String]) { self.origins = Set(origins) }

    /// The request's Origin when it is allowed.
    public func allowedOrigin(_ head: HTTPRequestHead) -> String? {
        guard !origins.isEmpty, let o = head.headers.first("origin"), origins.contains(o) else { return nil }
        return o
    }

    /// Headers added to every answer for an allowed origin.
    public func headers(for origin: String) -> [(String, String)] {
        [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", Self.exposeHeaders), ("Vary", "Origin")]
    }

    /// True for a CORS preflight (OPTIONS with Access-Control-Request-Method).
    public func isPreflight(_ head: HTTPRequestHead) -> Bool {
        head.method == .options && head.headers.contains("access-control-request-method")
    }

    /// The answer to a preflight: 204, with CORS grants only for an allowed origin.
    public func preflight(_ head: HTTPRequestHead) -> HTTPResponse {
        guard let origin = allowedOrigin(head) else {
            return HTTPResponse(status: 204, headers: [("Allow", Self.allowMethods), ("Vary", "Origin")])
        }
        return HTTPResponse(status: 204, headers: [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", Self.allowMethods),
            ("Access-Control-Allow-Headers", Self.allowHeaders),
            ("Access-Control-Max-Age", String(preflightMaxAgeSeconds)),
            ("Vary", "Origin"),
        ])
    }
}
