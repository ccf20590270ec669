// One central shape for everything that answers requests (Hummingbird's HTTPResponder, loop-bound).
import HTTPServer

/// Answers requests. Called on the request's loop thread; may answer at once or later (long-poll,
/// Redis replies) through the responder, exactly once.
public protocol HTTPHandler: Sendable {
    /// Handles `request`, answering through `responder`.
    func handle(_ request: Request, _ responder: Responder)
}

/// A handler made from a closure.
public struct ClosureHandler: HTTPHandler {
    let body: @Sendable (Request, Responder) -> Void
    public init(_ body: @escaping @Sendable (Request, Responder) -> Void) { self.body = body }
    public func handle(_ request: Request, _ responder: Responder) { body(request, responder) }
}
