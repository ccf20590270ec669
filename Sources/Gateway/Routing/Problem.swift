// RFC 9457 problem details: every 4xx/5xx the gateway itself produces goes through here, with a stable
// `type` URI per kind of problem and a fixed `title`. Client input is never echoed into the body
// except as a field name the gateway itself validated.
import HTTPServer

/// A problem+json answer.
public struct Problem: Error, Sendable {
    /// HTTP status.
    public var status: Int
    /// Stable slug; the `type` URI is `https://webinars-gateway.dev/problems/<slug>`.
    public var slug: String
    /// Short, fixed summary.
    public var title: String
    /// Optional detail the gateway wrote (never raw client input).
    public var detail: String?
    /// Extra header fields (Allow, Retry-After, WWW-Authenticate...).
    public var headers: [(String, String)]
    /// Close the connection after answering (parse errors, timeouts).
    public var closeConnection: Bool

    public init(status: Int, slug: String, title: String, detail: String? = nil, headers: [(String, String)] = [], closeConnection: Bool = false) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
        self.closeConnection = closeConnection
    }

    /// The `type` URI.
    public var typeURI: String { "https://webinars-gateway.dev/problems/" + slug }

    /// The response carrying this problem.
    public var response: HTTPResponse {
        var text = "{\"type\":" + JSONText.quoted(typeURI) + ",\"title\":" + JSONText.quoted(title) + ",\"status\":\(status)"
        if let d = detail { text += ",\"detail\":" + JSONText.quoted(d) }
        text += "}"
        return HTTPResponse(
            status: status,
            headers: [("Content-Type", "application/problem+json")] + headers,
            body: .bytes(Array(text.utf8)),
            closeConnection: closeConnection)
    }

    // MARK: common problems

    public static let notFound = Problem(status: 404, slug: "not-found", title: "No such resource")
    public static func methodNotAllowed(allow: [String]) -> Problem {
        Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed on this resource", headers: [("Allow", allow.joined(separator: ", "))])
    }
    public static let requestTimeout = Problem(status: 408, slug: "request-timeout", title: "The request head did not arrive in time", closeConnection: true)
    public static let serviceUnavailable = Problem(status: 503, slug: "unavailable", title: "The service is temporarily unavailable")
    public static let internalError = Problem(status: 500, slug: "internal", title: "Internal error")
    public static let redisUnavailable = Problem(status: 503, slug: "store-unavailable", title: "The state store is not reachable; retry shortly", headers: [("Retry-After", "1")])

    /// 400 for a bad query parameter or header value, naming it.
    public static func invalidParameter(_ name: String, _ rule: String) -> Problem {
        Problem(status: 400, slug: "invalid-parameter", title: "A request parameter is invalid", detail: "\(name): \(rule)")
    }

    /// 422 for a body field that is missing or ill-typed, naming it.
    public static func invalidField(_ name: String, _ rule: String) -> Problem {
        Problem(status: 422, slug: "invalid-field", title: "A body field is missing or invalid", detail: "\(name): \(rule)")
    }
}

extension Responder {
    /// Sends a problem+json answer.
    public func fail(_ problem: Problem) {
        respond(problem.response)
    }
}
