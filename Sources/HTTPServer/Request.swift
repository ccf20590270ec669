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
    /// The TCP peer's address (a proxy's, behind a load balancer; see `ClientAddress`).
    public var peerAddress = ""

    /// Creates a request as the server core hands it to the application.
    public init(head: HTTPRequestHead, body: [UInt8], loop: EventLoop, peerAddress: String = "") {
        self.head = head
        self.body = body
        self.loop = loop
        self.peerAddress = peerAddress
    }

    /// A path parameter by name.
    public func parameter(_ name: String) -> String? { pathParameters[name] }

    /// The query parameters (`a=1&b=2`), percent-decoded (`+` is a space); a malformed escape
    /// decodes to U+FFFD so the value fails validation instead of being silently changed.
    public var queryItems: [(String, String)] {
        guard let q = head.query, !q.isEmpty else { return [] }
        return q.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let name: Substring, value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = ""
            }
            return (PercentDecoding.decode(name, plusIsSpace: true) ?? "\u{FFFD}",
                    PercentDecoding.decode(value, plusIsSpace: true) ?? "\u{FFFD}")
        }
    }

    /// The first query parameter called `name`, decoded.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.0 == name }?.1
    }
}
