// The handle a handler answers through. Exactly one answer per request: the connection ignores a
// second one, and one for a request whose connection has gone.
import Reactor

/// Answers one request on its connection. Use on the request's loop thread only.
public struct Responder {
    let connection: Connection
    let sequence: UInt64

    /// Sends `response` (once; later calls are ignored).
    public func respond(_ response: HTTPResponse) {
        connection.respond(sequence: sequence, response)
    }

    /// Sends a fan-out answer assembled from prebuilt pieces (long-poll wakes).
    func respond(prebuilt answer: PrebuiltAnswer, poll: PollBytes) {
        connection.respondPrebuilt(sequence: sequence, answer, poll)
    }

    /// Sends a problem+json answer.
    public func fail(_ problem: Problem) {
        respond(problem.response)
    }

    /// Registers `body` to run if the client goes away (or the node drains) before an answer.
    /// A parked long-poll frees its slot here.
    public func onCancel(_ body: @escaping () -> Void) {
        connection.setCancelHandler(sequence: sequence, body)
    }

    /// True once the connection closed or the request was answered.
    public var isFinished: Bool { !connection.isAwaiting(sequence: sequence) }
}
