// A TLS client driven only by epoll readiness on a Reactor loop: non-blocking connect, handshake,
// write one line, read until the newline, close_notify. Each step waits for exactly the readiness the
// previous call asked for. The outcome is published once through a Mutex for the test thread.
import Glibc
import Reactor
import Synchronization
import TLS

/// How one exchange ended.
enum EchoOutcome: Sendable {
    case echoed(line: String, protocolVersion: String)
    case tlsFailed(TLSError)
    case ioFailed(String)
}

/// The test's view of the outcome (set once, from the loop thread).
final class EchoResult: Sendable {
    private let value = Mutex<EchoOutcome?>(nil)
    func set(_ outcome: EchoOutcome) { value.withLock { if $0 == nil { $0 = outcome } } }
    var outcome: EchoOutcome? { value.withLock { $0 } }
}

/// The loop-side client; loop thread only (kept alive by its registration until it finishes).
final class TLSEchoClient: IOHandler {
    private enum Phase { case connecting, handshaking, writing, reading, closing, finished }

    /// Bytes read per call (the echo is one short line).
    static let readChunkBytes = 4096
    /// The longest echo accepted before the test gives up on finding the newline, in bytes.
    static let maxEchoBytes = 64 * 1024

    private let loop: EventLoop
    private let fd: Int32
    private let session: TLSSession
    private let result: EchoResult
    private var registration: Registration?
    private var interest: IOEvents = .writable
    private var phase = Phase.connecting
    private var pending: [UInt8]
    private var received: [UInt8] = []

    /// Connects to `address` and starts the exchange on `loop` (call on the loop thread).
    static func start(on loop: EventLoop, address: Socket.Address, serverName: String, context: TLSContext,
                      line: String, result: EchoResult) {
        do {
            let (fd, state) = try Socket.connect(address)
            let client: TLSEchoClient
            do {
                client = try TLSEchoClient(loop: loop, fd: fd, serverName: serverName, context: context,
                                           line: line, result: result)
            } catch {
                Socket.close(fd)
                throw error
            }
            client.registration = try loop.register(fd: fd, interest: client.interest, handler: client)
            if case .processed = state { client.advance() }
        } catch let error as TLSError {
            result.set(.tlsFailed(error))
        } catch {
            result.set(.ioFailed("\(error)"))
        }
    }

    private init(loop: EventLoop, fd: Int32, serverName: String, context: TLSContext, line: String,
                 result: EchoResult) throws(TLSError) {
        self.loop = loop
        self.fd = fd
        self.result = result
        self.pending = Array(line.utf8)
        self.session = try TLSSession(context: context, fd: fd, serverName: serverName)
    }

    func handleIO(_ events: IOEvents) {
        advance()
    }

    private func advance() {
        do {
            while true {
                guard let wanted = try step() else { continue }
                if wanted != interest, let registration {
                    interest = wanted
                    try loop.reregister(registration, interest: wanted)
                }
                return
            }
        } catch let error as TLSError {
            finish(.tlsFailed(error))
        } catch {
            finish(.ioFailed("\(error)"))
        }
    }

    /// Runs one step; nil to go on at once, or the readiness to wait for.
    private func step() throws -> IOEvents? {
        switch phase {
        case .connecting:
            let error = Socket.pendingError(fd)
            guard error == 0 else { throw IOError(errno: error, reason: "connect") }
            phase = .handshaking
        case .handshaking:
            let progress = try session.handshake()
            guard let wanted = progress.interest else { phase = .writing; return nil }
            return wanted
        case .writing:
            switch try pending.withUnsafeBytes({ bytes throws(TLSError) in try session.write(bytes) }) {
            case .processed(let n): pending.removeFirst(n)
            case .wouldBlock(let wanted): return wanted
            }
            if pending.isEmpty { phase = .reading }
        case .reading:
            var chunk = [UInt8](repeating: 0, count: Self.readChunkBytes)
            switch try chunk.withUnsafeMutableBytes({ buffer throws(TLSError) in try session.read(into: buffer) }) {
            case .processed(0): throw IOError(errno: 0, reason: "peer closed before the echo")
            case .processed(let n): received += chunk.prefix(n)
            case .wouldBlock(let wanted): return wanted
            }
            if received.contains(UInt8(ascii: "\n")) { phase = .closing }
            guard received.count <= Self.maxEchoBytes else { throw IOError(errno: 0, reason: "echo too long") }
        case .closing:
            if let wanted = try session.shutdown().interest { return wanted }
            let line = String(decoding: received.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            finish(.echoed(line: line, protocolVersion: session.protocolVersion))
            return .readable
        case .finished:
            return .readable
        }
        return nil
    }

    private func finish(_ outcome: EchoOutcome) {
        guard phase != .finished || result.outcome == nil else { return }
        phase = .finished
        if let registration { loop.deregister(registration) }
        registration = nil
        Socket.close(fd)
        result.set(outcome)
    }
}
