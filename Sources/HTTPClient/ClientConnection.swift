// One client connection on a loop: non-blocking connect, TLS handshake (https), then exchanges one at a
// time: write the request, read and parse the response; idle in between (a read while idle is the
// server closing, or bytes it had no right to send: either drops the connection).
// Contract: loop thread only; every outcome is reported once to the delegate as a `ConnectionEvent`;
// `abort()` closes without a report. The fd is closed exactly once, after deregistering it.
import HTTP1
import Reactor
import TLS

/// What a connection tells its pool.
enum ConnectionEvent {
    /// Connected (and handshaken); idle, ready for an exchange.
    case ready
    /// Connect, connect timeout or handshake failed; closed.
    case setupFailed(ClientError)
    /// The exchange got its response; `reusable`: the connection is idle again, else closed.
    case answered(ClientExchange, ClientResponse, reusable: Bool)
    /// The exchange failed; closed. `unsent`: not one byte of it went out on a reused connection.
    case failed(ClientExchange, ClientError, unsent: Bool)
    /// Closed while idle (the server's close, idle timeout, stray bytes).
    case dropped
}

/// Receives a connection's events (its pool).
protocol ClientConnectionDelegate: AnyObject {
    func connection(_ connection: ClientConnection, did event: ConnectionEvent)
}

/// One HTTP/1.1 connection, plain or TLS.
final class ClientConnection: IOHandler {
    private enum Phase { case connecting, handshaking, idle, writing, reading, closed }

    private let loop: EventLoop
    private let transport: ClientTransport
    private let configuration: HTTPClientConfiguration
    private weak var delegate: ClientConnectionDelegate?
    private var registration: Registration?
    private var interest = IOEvents.writable
    private var phase = Phase.connecting
    private var advancing = false
    private var timer: LoopTimer?
    private var exchange: ClientExchange?
    private var written = 0
    private var reused = false
    private var parser: HTTPResponseParser
    private var input: [UInt8] = []
    private var readIndex = 0
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    /// True while idle in the pool.
    var isIdle: Bool { phase == .idle }

    /// Starts connecting to `address` (call on `loop`).
    /// - Throws: ``ClientError`` (connect failed, TLS configuration) when it cannot even start.
    static func open(address: ResolvedAddress, origin: ClientOrigin, tls: TLSContext?, loop: EventLoop,
                     configuration: HTTPClientConfiguration, delegate: ClientConnectionDelegate) throws(ClientError) -> ClientConnection {
        let socketAddress = Socket.Address(host: address.text, port: origin.port)
        let fd: Int32
        // Even a connect that completes at once is carried on by the first (writable) event.
        do { fd = try Socket.connect(socketAddress).fd } catch {
            throw ClientError(.connectFailed, "connect \(socketAddress)", errno: error.errno)
        }
        var session: TLSSession?
        if let tls {
            do { session = try TLSSession(context: tls, fd: fd, serverName: origin.host) } catch {
                Socket.close(fd)
                throw ClientError(.tls, tlsError: error)
            }
        }
        let connection = ClientConnection(loop: loop, transport: ClientTransport(fd: fd, session: session),
                                          configuration: configuration, delegate: delegate)
        do { connection.registration = try loop.register(fd: fd, interest: .writable, handler: connection) } catch {
            Socket.close(fd)
            throw ClientError(.connectFailed, "register", errno: error.errno)
        }
        Socket.setNoDelay(fd)
        connection.timer = loop.schedule(after: configuration.connectTimeoutNanos) { [weak connection] in
            connection?.fail(ClientError(.connectTimeout, "\(socketAddress)"))
        }
        return connection
    }

    private init(loop: EventLoop, transport: ClientTransport, configuration: HTTPClientConfiguration,
                 delegate: ClientConnectionDelegate) {
        self.loop = loop
        self.transport = transport
        self.configuration = configuration
        self.delegate = delegate
        self.parser = HTTPResponseParser(limits: HTTPLimits(maxHeaderBytes: configuration.maxResponseHeadBytes,
                                                            maxBodyBytes: configuration.maxResponseBodyBytes))
    }

    /// Runs `exchange` on this idle connection.
    func start(_ exchange: ClientExchange) {
        precondition(phase == .idle && self.exchange == nil, "start on a busy connection")
        timer?.cancel()
        timer = nil
        self.exchange = exchange
        exchange.state = .active(self)
        written = 0
        phase = .writing
        if !advancing { advance() }
    }

    /// Closes at once with no report (request timeout, client shutdown).
    func abort() {
        exchange = nil
        close()
    }

    func handleIO(_ events: IOEvents) {
        advance()
    }

    private func advance() {
        advancing = true
        defer { advancing = false }
        do throws(ClientError) {
            while phase != .closed {
                guard let wanted = try step() else { continue }
                guard phase != .closed else { return }
                if wanted != interest, let registration {
                    interest = wanted
                    do { try loop.reregister(registration, interest: wanted) } catch {
                        throw ClientError(.connectionClosedEarly, "epoll", errno: error.errno)
                    }
                }
                return
            }
        } catch {
            fail(error)
        }
    }

    /// One step; nil to go on at once, or the readiness to wait for.
    private func step() throws(ClientError) -> IOEvents? {
        switch phase {
        case .connecting:
            let error = Socket.pendingError(transport.fd)
            guard error == 0 else { throw ClientError(.connectFailed, "connect", errno: error) }
            phase = .handshaking
        case .handshaking:
            if let wanted = try transport.handshake().interest { return wanted }
            timer?.cancel()
            timer = nil
            becomeIdle()
            delegate?.connection(self, did: .ready)
        case .idle:
            switch try transport.read(into: loop.readBuffer) {
            case .wouldBlock(let wanted): return wanted
            case .processed(0): throw ClientError(.connectionClosedEarly, "closed by the server while idle")
            case .processed: throw ClientError(.connectionClosedEarly, "bytes from the server while idle")
            }
        case .writing:
            guard let exchange else { return .readable }
            let result = exchange.bytes.withUnsafeBytes { bytes in
                Result { () throws(ClientError) in try transport.write(UnsafeRawBufferPointer(rebasing: bytes[written...])) }
            }
            switch try result.get() {
            case .wouldBlock(let wanted): return wanted
            case .processed(let n): written += n
            }
            if written == exchange.bytes.count { phase = .reading }
        case .reading:
            switch try transport.read(into: loop.readBuffer) {
            case .wouldBlock(let wanted): return wanted
            case .processed(0): try endOfInput()
            case .processed(let n): input.append(contentsOf: UnsafeRawBufferPointer(start: loop.readBuffer.baseAddress, count: n))
            }
            if phase == .reading { try parse() }
        case .closed:
            return nil
        }
        return nil
    }

    /// Parses what has arrived; completes the exchange when the response is whole.
    private func parse() throws(ClientError) {
        guard let exchange else { return }
        do throws(HTTPParseError) {
            while head == nil {
                switch try parser.parseHead(input, from: readIndex, requestMethod: exchange.method) {
                case .needMore: return
                case .interim(_, let consumed): readIndex += consumed
                case .head(let h, let consumed):
                    readIndex += consumed
                    head = h
                }
            }
            let result = try parser.parseBody(input, from: readIndex, into: &body)
            readIndex += result.consumed
            if result.complete { complete(reusable: (head?.keepAlive ?? false) && readIndex == input.count) }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// The server closed while a response was expected.
    private func endOfInput() throws(ClientError) {
        if head == nil && readIndex == input.count {
            throw ClientError(.connectionClosedEarly, "closed by the server before a response")
        }
        do throws(HTTPParseError) { try parser.finish() } catch { throw Self.mapped(error) }
        guard head != nil else { throw ClientError(.connectionClosedEarly, "closed inside the response head") }
        complete(reusable: false)
    }

    private static func mapped(_ error: HTTPParseError) -> ClientError {
        switch error {
        case .bodyTooLarge: ClientError(.bodyTooLarge, "over the response body limit")
        case .truncatedMessage: ClientError(.connectionClosedEarly, "response truncated", parseError: error)
        default: ClientError(.malformedResponse, parseError: error)
        }
    }

    private func complete(reusable: Bool) {
        guard let exchange, let head else { return }
        let response = ClientResponse(status: head.status, headers: head.headers, body: body)
        self.exchange = nil
        self.head = nil
        body = []
        input.removeAll(keepingCapacity: true)
        readIndex = 0
        parser.reset()
        reused = true
        if reusable { becomeIdle() } else { close() }
        delegate?.connection(self, did: .answered(exchange, response, reusable: reusable))
    }

    private func becomeIdle() {
        phase = .idle
        timer = loop.schedule(after: configuration.idleTimeoutNanos) { [weak self] in
            guard let self, self.phase == .idle else { return }
            self.fail(ClientError(.connectionClosedEarly, "idle timeout"))
        }
    }

    private func fail(_ error: ClientError) {
        let before = phase
        let exchange = self.exchange
        let unsent = written == 0 && reused
        self.exchange = nil
        close()
        switch before {
        case .connecting, .handshaking: delegate?.connection(self, did: .setupFailed(error))
        case .idle: delegate?.connection(self, did: .dropped)
        case .writing, .reading:
            if let exchange { delegate?.connection(self, did: .failed(exchange, error, unsent: unsent)) }
        case .closed: break
        }
    }

    private func close() {
        guard phase != .closed else { return }
        phase = .closed
        timer?.cancel()
        timer = nil
        if let registration { loop.deregister(registration) }
        registration = nil
        Socket.close(transport.fd)
    }
}
