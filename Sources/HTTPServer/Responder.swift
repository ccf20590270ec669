// The handle an application answers through. Exactly one answer per request: the target ignores a
// second one, and one for a request whose connection has gone.
import Reactor

/// What a `Responder` answers through: a connection of the core, or a test's fake.
public protocol ResponderTarget: AnyObject {
    /// Sends `response` as the answer to request `sequence` (ignored unless that request awaits one).
    func respond(sequence: UInt64, _ response: HTTPResponse)
    /// Sends a prewritten answer to request `sequence` (ignored unless that request awaits one).
    func respond(sequence: UInt64, prewritten: any PrewrittenResponse)
    /// Runs `body` if request `sequence` is cancelled (client gone) before its answer.
    func setCancelHandler(sequence: UInt64, _ body: @escaping () -> Void)
    /// True while request `sequence` awaits its answer.
    func isAwaiting(sequence: UInt64) -> Bool
    /// Attaches the application's `tag` (reported back in `AnsweredExchange`) and header `fields` that go
    /// on whichever answer request `sequence` gets (e.g. CORS).
    func describe(sequence: UInt64, tag: AnyObject?, fields: [(String, String)])
}

/// Answers one request. Use on the request's loop thread only.
public struct Responder {
    @usableFromInline let target: any ResponderTarget
    @usableFromInline let sequence: UInt64

    /// A responder for request `sequence` of `target` (the core makes these; tests make them for fakes).
    public init(target: any ResponderTarget, sequence: UInt64) {
        self.target = target
        self.sequence = sequence
    }

    /// Sends `response` (once; later calls are ignored).
    @inlinable
    public func respond(_ response: HTTPResponse) {
        target.respond(sequence: sequence, response)
    }

    /// Sends an answer whose fields and body are ready-made bytes (long-poll wakes).
    @inlinable
    public func respond(prewritten answer: any PrewrittenResponse) {
        target.respond(sequence: sequence, prewritten: answer)
    }

    /// Registers `body` to run if the client goes away (or the node drains) before an answer.
    /// A parked long-poll frees its slot here.
    @inlinable
    public func onCancel(_ body: @escaping () -> Void) {
        target.setCancelHandler(sequence: sequence, body)
    }

    /// Names the exchange for the application's own bookkeeping (`tag`, reported back when answered) and
    /// adds `fields` to whichever answer it gets.
    @inlinable
    public func describe(tag: AnyObject?, fields: [(String, String)] = []) {
        target.describe(sequence: sequence, tag: tag, fields: fields)
    }

    /// True once the connection closed or the request was answered.
    @inlinable
    public var isFinished: Bool { !target.isAwaiting(sequence: sequence) }
}
