// The keep-alive pool of one origin: idle connections reused newest first, at most
// `maxConnectionsPerOrigin` open or opening, a bounded wait queue beyond that. A new connection is
// opened for the request at the head of the queue (resolve off the loop, address filter, connect) and
// serves it first when ready. A request whose reused connection failed before one byte of it went out
// is retried once, on a fresh connection; a request with bytes out is never replayed.
// Loop thread only.
import Reactor
import TLS

/// Connections and waiting requests of one origin.
final class ConnectionPool: ClientConnectionDelegate {
    private let origin: ClientOrigin
    private let loop: EventLoop
    private let configuration: HTTPClientConfiguration
    private let tls: TLSContext?
    private var waiting: [ClientExchange] = []
    private var idle: [ClientConnection] = []
    /// Connections open or being opened (resolving included).
    private(set) var total = 0
    /// The exchange each opening connection was opened for.
    private var openedFor: [ObjectIdentifier: ClientExchange] = [:]
    private var connections: [ObjectIdentifier: ClientConnection] = [:]

    init(origin: ClientOrigin, loop: EventLoop, configuration: HTTPClientConfiguration, tls: TLSContext?) {
        self.origin = origin
        self.loop = loop
        self.configuration = configuration
        self.tls = tls
    }

    /// Connections open right now (idle or busy; not those still resolving).
    var openConnections: Int { connections.count }

    /// Queues `exchange` and starts what can start; refuses it at once when the queue is full.
    func enqueue(_ exchange: ClientExchange) {
        exchange.state = .queued
        waiting.append(exchange)
        pump()
        if case .queued = exchange.state, waiting.count > configuration.maxQueuedRequestsPerOrigin {
            waiting.removeAll { $0 === exchange }
            exchange.finish(.failure(ClientError(.queueFull, "\(waiting.count) requests wait for \(origin)")))
        }
    }

    /// The request deadline passed: take the exchange out wherever it is and close its connection.
    func timedOut(_ exchange: ClientExchange) {
        switch exchange.state {
        case .queued: waiting.removeAll { $0 === exchange }
        case .active(let connection):
            connection.abort()
            forget(connection)
        case .opening, .finished: break
        }
        exchange.finish(.failure(ClientError(.requestTimeout, "\(origin)")))
        pump()
    }

    /// Closes every connection and fails every waiting request (client shutdown).
    func closeAll() {
        for connection in connections.values { connection.abort() }
        connections.removeAll()
        idle.removeAll()
        let pending = waiting + openedFor.values
        waiting.removeAll()
        openedFor.removeAll()
        for exchange in pending { exchange.finish(.failure(ClientError(.connectionClosedEarly, "client closed"))) }
    }

    private func pump() {
        while let first = waiting.first {
            if !first.retried, let connection = idle.popLast() {
                waiting.removeFirst()
                connection.start(first)
            } else if total < configuration.maxConnectionsPerOrigin {
                waiting.removeFirst()
                open(for: first)
            } else {
                return
            }
        }
    }

    private func open(for exchange: ClientExchange) {
        total += 1
        exchange.state = .opening
        AddressResolver.resolve(origin.host, on: loop) { [self] result in
            switch result {
            case .failure(let error): openFailed(exchange, error)
            case .success(let addresses):
                let allowed = addresses.filter { configuration.addressFilter?($0.bytes) ?? true }
                guard let address = allowed.first else {
                    let names = addresses.map(\.text).joined(separator: ", ")
                    openFailed(exchange, ClientError(.refusedAddress, "\(names) refused by the address filter"))
                    return
                }
                do throws(ClientError) {
                    let connection = try ClientConnection.open(address: address, origin: origin, tls: tls, loop: loop,
                                                               configuration: configuration, delegate: self)
                    connections[ObjectIdentifier(connection)] = connection
                    openedFor[ObjectIdentifier(connection)] = exchange
                } catch {
                    openFailed(exchange, error)
                }
            }
        }
    }

    private func openFailed(_ exchange: ClientExchange, _ error: ClientError) {
        total -= 1
        exchange.finish(.failure(error))
        pump()
    }

    /// A ready connection serves the exchange it was opened for, or the queue.
    private func serve(_ connection: ClientConnection, firstFor exchange: ClientExchange?) {
        if let exchange, !exchange.isFinished {
            connection.start(exchange)
        } else {
            idle.append(connection)
            pump()
        }
    }

    private func forget(_ connection: ClientConnection) {
        let id = ObjectIdentifier(connection)
        guard connections.removeValue(forKey: id) != nil else { return }
        total -= 1
        idle.removeAll { $0 === connection }
        openedFor.removeValue(forKey: id)
    }

    func connection(_ connection: ClientConnection, did event: ConnectionEvent) {
        let id = ObjectIdentifier(connection)
        switch event {
        case .ready:
            serve(connection, firstFor: openedFor.removeValue(forKey: id))
        case .setupFailed(let error):
            let exchange = openedFor[id]
            forget(connection)
            exchange?.finish(.failure(error))
            pump()
        case .answered(let exchange, let response, let reusable):
            if reusable { idle.append(connection) } else { forget(connection) }
            exchange.finish(.success(response))
            pump()
        case .failed(let exchange, let error, let unsent):
            forget(connection)
            if unsent, !exchange.retried, !exchange.isFinished {
                exchange.retried = true
                exchange.state = .queued
                waiting.insert(exchange, at: 0)
            } else {
                exchange.finish(.failure(error))
            }
            pump()
        case .dropped:
            forget(connection)
            pump()
        }
    }
}
