// One request's life in the client: encoded once, queued, given a connection, answered exactly once
// (response, error or timeout). Loop thread only.
import HTTP1
import Reactor

/// A request in flight; `finish` resolves it exactly once.
final class ClientExchange {
    /// Where the exchange is.
    enum State {
        /// In its pool's wait queue.
        case queued
        /// Waiting for a connection opened for it (resolving, connecting, handshaking).
        case opening
        /// Being written or answered on a connection.
        case active(ClientConnection)
        /// Answered; nothing more happens.
        case finished
    }

    /// The encoded request (written as is; never replayed once any of it went out).
    let bytes: [UInt8]
    /// The request's method (a response to HEAD has no body).
    let method: HTTPMethod
    var state = State.queued
    /// Set when it goes back to the queue after a reused connection failed before a byte went out.
    var retried = false
    var timer: LoopTimer?
    private var done: ((Result<ClientResponse, ClientError>) -> Void)?

    init(bytes: [UInt8], method: HTTPMethod, done: @escaping (Result<ClientResponse, ClientError>) -> Void) {
        self.bytes = bytes
        self.method = method
        self.done = done
    }

    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Resolves the exchange (once; later calls do nothing).
    func finish(_ result: Result<ClientResponse, ClientError>) {
        guard let done else { return }
        self.done = nil
        state = .finished
        timer?.cancel()
        timer = nil
        done(result)
    }
}
