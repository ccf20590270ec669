// HTTPClient: HTTP/1.1 requests from one event loop, with keep-alive pools per origin.
//
// CONTRACT
// - One client per loop; every call on that loop's thread. Sockets, timers and TLS sessions live on the
//   loop; only name resolution leaves it (getaddrinfo on a background queue, result back via execute).
// - `execute` answers exactly once: the final response (any status: redirects are not followed) or a
//   `ClientError`. The request deadline covers the whole exchange; when it fires the connection is
//   closed, never reused.
// - Before connecting, every resolved address goes through the configuration's address filter; when
//   none passes, nothing is sent and the error names the addresses.
// - A request is replayed at most once and only when not one of its bytes was written (a reused
//   connection the server had closed); see ConnectionPool.
import HTTP1
import Reactor
import TLS

/// A loop-bound HTTP/1.1 client (see the contract above).
public final class HTTPClient {
    /// The loop this client runs on.
    public let loop: EventLoop
    /// The settings in force.
    public let configuration: HTTPClientConfiguration
    private let tls: TLSContext
    private var pools: [ClientOrigin: ConnectionPool] = [:]

    /// Creates a client for `loop` (builds the TLS context once; call on the loop or before it runs).
    /// - Parameters:
    ///   - loop: the loop whose thread will use it.
    ///   - configuration: timeouts, limits, TLS trust, address filter.
    /// - Throws: ``ClientError`` of kind ``ClientError/Kind/tls`` when the CA file or system store
    ///   cannot be loaded.
    public init(loop: EventLoop, configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(ClientError) {
        self.loop = loop
        self.configuration = configuration
        do { tls = try TLSContext(configuration: configuration.tls) } catch {
            throw ClientError(.tls, "TLS context", tlsError: error)
        }
    }

    /// Sends `request` and calls `done` once, on the loop, with the response or the error.
    /// - Parameters:
    ///   - request: origin, target, method, fields, body.
    ///   - done: called exactly once; may start further requests.
    public func execute(_ request: ClientRequest, _ done: @escaping (Result<ClientResponse, ClientError>) -> Void) {
        loop.assertInEventLoop()
        var bytes: [UInt8] = []
        do {
            try HTTPRequestEncoder.appendRequest(into: &bytes, method: request.method, target: request.target,
                                                 host: request.origin.hostField, headers: request.headers,
                                                 body: request.body)
        } catch {
            done(.failure(ClientError(.invalidRequest, "\(error)")))
            return
        }
        let pool = pool(for: request.origin)
        let exchange = ClientExchange(bytes: bytes, method: request.method, done: done)
        exchange.timer = loop.schedule(after: configuration.requestTimeoutNanos) { [weak pool, weak exchange] in
            guard let pool, let exchange else { return }
            pool.timedOut(exchange)
        }
        pool.enqueue(exchange)
    }

    /// Connections open right now to `origin` (idle or busy); for metrics and tests.
    /// - Parameter origin: scheme, host, port.
    public func openConnections(to origin: ClientOrigin) -> Int {
        loop.assertInEventLoop()
        return pools[origin]?.openConnections ?? 0
    }

    /// Closes every connection; waiting and running requests fail with
    /// ``ClientError/Kind/connectionClosedEarly``. Call on the loop before stopping it.
    public func close() {
        loop.assertInEventLoop()
        for pool in pools.values { pool.closeAll() }
        pools.removeAll()
    }

    private func pool(for origin: ClientOrigin) -> ConnectionPool {
        if let pool = pools[origin] { return pool }
        let pool = ConnectionPool(origin: origin, loop: loop, configuration: configuration,
                                  tls: origin.scheme == .https ? tls : nil)
        pools[origin] = pool
        return pool
    }
}
