// A parsed request as handlers see it, plus the handle they answer through.
import HTTP1
import Reactor

/// A complete request: head, body, path parameters and the loop it arrived on.
public struct Request: Sendable {
    /// Method, target, headers.
    public var head: HTTPRequestHead
    /// The decoded body (empty when none).
    public var body: [UInt8]
    /// Values of `{name}` path segments.
    public var pathParameters: [String: String] = [:]
    /// The loop this request is handled on (handlers run on its thread).
    public let loop: EventLoop

    /// A path parameter by name.
    public func parameter(_ name: String) -> String? { pathParameters[name] }

    /// The decoded query parameters (`a=1&b=2`); percent-decoding is left to the caller.
    public var queryItems: [(String, String)] {
        guard let q = head.query, !q.isEmpty else { return [] }
        return q.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
            }
            return (String(pair), "")
        }
    }

    /// The first query parameter called `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.0 == name }?.1
    }
}
