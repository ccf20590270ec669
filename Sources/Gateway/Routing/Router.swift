// Routes by method and path pattern (`/v1/webinars/{webinar_id}/state`). Built once, immutable,
// shared by every loop. Matching works on the path's UTF-8 bytes (no String indexing on the hot path):
// routes without parameters are one dictionary lookup; the rest compare segment bytes.
// Unknown path → 404; known path, other method → 405 with Allow (HEAD falls back to GET).
import HTTP1
import HTTPServer

/// Method + path-pattern routing to handlers.
public struct Router: Sendable {
    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: any HTTPHandler
        /// Low-cardinality name for metrics and logs.
        let label: String
    }
    private enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case parameter(String)
    }

    /// What routing found.
    public enum Match {
        case found(any HTTPHandler, [String: String], label: String)
        case methodNotAllowed([String])
        case notFound
    }

    private var routes: [Route] = []
    /// Parameter-free routes by exact path.
    private var exact: [String: [Route]] = [:]

    public init() {}

    /// Adds a route; `{name}` segments become path parameters; `label` names it in metrics (default: the pattern).
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: any HTTPHandler, label: String? = nil) {
        let segs = pattern.split(separator: "/", omittingEmptySubsequences: true).map { s -> Segment in
            if s.hasPrefix("{") && s.hasSuffix("}") { return .parameter(String(s.dropFirst().dropLast())) }
            return .literal(Array(s.utf8))
        }
        let route = Route(method: method, segments: segs, handler: handler, label: label ?? pattern)
        if segs.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            exact[pattern, default: []].append(route)
        } else {
            routes.append(route)
        }
    }

    /// Finds the handler for `method` and `path`.
    public func match(_ method: HTTPMethod, path: String) -> Match {
        if let candidates = exact[path] {
            for route in candidates where route.method == method { return .found(route.handler, [:], label: route.label) }
            return pick(method, candidates.map { ($0, [:]) })
        }
        var path = path
        let found: [(Route, [String: String])] = path.withUTF8 { bytes in
            var parts: [Range<Int>] = []
            var start = 1
            guard bytes.first == UInt8(ascii: "/") else { return [] }
            for i in 1...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                parts.append(start..<i)
                start = i + 1
            }
            var out: [(Route, [String: String])] = []
            for route in routes where route.segments.count == parts.count {
                if let params = Self.bind(route.segments, parts, bytes) { out.append((route, params)) }
            }
            return out
        }
        return pick(method, found)
    }

    private func pick(_ method: HTTPMethod, _ candidates: [(Route, [String: String])]) -> Match {
        var allowed: [String] = []
        var headFallback: (any HTTPHandler, [String: String], String)?
        for (route, params) in candidates {
            if route.method == method { return .found(route.handler, params, label: route.label) }
            if method == .head && route.method == .get { headFallback = (route.handler, params, route.label) }
            allowed.append(Self.name(route.method))
        }
        if let (h, p, l) = headFallback { return .found(h, p, label: l) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed)
    }

    private static func bind(_ segments: [Segment], _ parts: [Range<Int>], _ bytes: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        var params: [String: String] = [:]
        for (seg, range) in zip(segments, parts) {
            switch seg {
            case .literal(let lit):
                guard lit.count == range.count else { return nil }
                var i = range.lowerBound
                for b in lit {
                    if bytes[i] != b { return nil }
                    i += 1
                }
            case .parameter(let name):
                if range.isEmpty { return nil }
                let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                // Percent-encoded segments decode (RFC 3986 §2.1); a malformed one matches nothing, and
                // neither do dot-segments (`.`, `..`, encoded or not: RFC 3986 §5.2.4 removes them).
                guard let value = PercentDecoding.decode(raw[...]), value != ".", value != ".." else { return nil }
                params[name] = value
            }
        }
        return params
    }

    static func name(_ m: HTTPMethod) -> String { m.rawValue }
}
