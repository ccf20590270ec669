// The one interface between the server core and what it serves (Hummingbird's HTTPResponder, loop-bound):
// the core parses, frames, keeps connections alive and drains; the application routes and answers.
import HTTP1

/// The application side of a server, one instance per loop (called on that loop's thread only).
public protocol HTTPApplication: AnyObject {
    /// A complete request arrived: answer it through `responder` exactly once, now or later. `inout` so
    /// the application can add what it learns (path parameters) without copying the request.
    func handle(_ request: inout Request, _ responder: Responder)
    /// The answer to a request the core could not hand over (malformed, too slow) or could not encode.
    func failureResponse(_ failure: RequestFailure) -> HTTPResponse
    /// An answer is going out (metrics, access log).
    func answered(_ exchange: AnsweredExchange)
}

/// Why the core answers a request itself.
public enum RequestFailure: Sendable {
    /// The bytes are not a valid HTTP/1.1 request (400/413/414/431/501… and close).
    case malformed(HTTP1.HTTPParseError)
    /// The request did not arrive completely within the request deadline (408 and close).
    case timedOut
    /// The handler's answer had header fields the encoder refuses (a CR/LF that would split it); the
    /// answer with this status is replaced (500 and close).
    case unencodable(status: Int)
}

/// One answered exchange, as reported to `HTTPApplication.answered`.
public struct AnsweredExchange {
    /// The status code sent.
    public let status: Int
    /// When the request was dispatched (the loop clock's nanoseconds).
    public let startNanos: UInt64
    /// Whatever the application attached with `Responder.describe(tag:fields:)` (nil for failures).
    public let tag: AnyObject?
    /// Set when the core answered the request itself.
    public let failure: RequestFailure?
}
