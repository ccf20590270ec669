// Routes by method and path pattern (`/v1/webinars/{webinar_id}/state`). Built once, immutable,
// shared by every loop. Unknown path → 404; known path, other method → 405 with Allow.
import HTTP1

/// Method + path-pattern routing to handlers.
public struct Router: Sendable {
    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: any HTTPHandler
    }
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// What routing found.
    public enum Match {
        case found(any HTTPHandler, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route; `{name}` segments become path parameters.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: any HTTPHandler) {
        let segs = pattern.split(separator: "/", omittingEmptySubsequences: true).map { s -> Segment in
            if s.hasPrefix("{") && s.hasSuffix("}") { return .parameter(String(s.dropFirst().dropLast())) }
            return .literal(String(s))
        }
        routes.append(Route(method: method, segments: segs, handler: handler))
    }

    /// Finds the handler for `method` and `path`. HEAD falls back to GET routes.
    public func match(_ method: HTTPMethod, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var allowed: [String] = []
        var headFallback: (any HTTPHandler, [String: String])?
        for route in routes {
            guard let params = Self.bind(route.segments, parts) else { continue }
            if route.method == method { return .found(route.handler, params) }
            if method == .head && route.method == .get { headFallback = (route.handler, params) }
            allowed.append(Self.name(route.method))
        }
        if let (h, p) = headFallback { return .found(h, p) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed)
    }

    private static func bind(_ segments: [Segment], _ parts: ArraySlice<Substring>) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var params: [String: String] = [:]
        for (seg, part) in zip(segments, parts) {
            switch seg {
            case .literal(let lit):
                if part != lit { return nil }
            case .parameter(let name):
                if part.isEmpty { return nil }
                params[name] = String(part)
            }
        }
        return params
    }

    static func name(_ m: HTTPMethod) -> String {
        switch m {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other(let s): s
        }
    }
}
