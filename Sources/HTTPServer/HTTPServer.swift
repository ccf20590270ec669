// API: the HTTP server core of a node. `start()` opens one SO_REUSEPORT listener per loop;
// `markNotReady()` is the first step of SIGTERM (answers close their connections; the application's
// readiness turns 503); `drain()` stops accepting, closes idle connections, reads each once more and
// lets in-flight answers finish with `Connection: close`; `waitUntilIdle` resumes when the last connection
// closes (event-driven: the loop that closes it says so) or the grace period ends; `closeAll` closes the
// rest. Knows nothing of what it serves: each loop's `HTTPApplication` routes and answers.
import Dispatch
import Reactor
import Synchronization

/// The HTTP/1.1 server of one node: listeners, connections, drain.
public final class HTTPServer: Sendable {
    /// Settings.
    public let configuration: HTTPServerConfiguration
    /// Connection counters and drain flags.
    public let state: ServerState
    /// The loops.
    public let group: EventLoopGroup
    private let loops: [LoopBound<ServerLoop>]
    private let boundPort = Atomic<Int>(0)
    private let idle: IdleWaiters

    /// Creates the server (not yet listening).
    /// - Parameters:
    ///   - application: makes the application instance of each loop (called once per loop, here).
    ///   - warn: where the core's own warnings go.
    public init(configuration: HTTPServerConfiguration, group: EventLoopGroup, state: ServerState = ServerState(),
                application: (EventLoop) -> any HTTPApplication, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.state = state
        self.group = group
        let idle = IdleWaiters(state: state)
        self.idle = idle
        self.loops = group.loops.map { loop in
            LoopBound(ServerLoop(loop: loop, configuration: configuration, state: state, application: application(loop),
                                 onIdle: { idle.resumeIfIdle() }, warn: warn), loop: loop)
        }
    }

    /// The port actually bound (useful with port 0).
    public var port: UInt16 { UInt16(boundPort.load(ordering: .relaxed)) }

    /// Binds the listeners (one per loop) and starts accepting; loops must already run or be started after.
    /// - Throws: `IOError` when the address cannot be bound.
    public func start() throws(IOError) {
        var address = configuration.listen
        var fds: [Int32] = []
        do {
            for _ in loops {
                let fd = try Socket.listen(address, reusePort: true)
                if address.port == 0 { address.port = Socket.localPort(fd) }
                fds.append(fd)
            }
        } catch {
            for fd in fds { Socket.close(fd) }
            throw error
        }
        boundPort.store(Int(address.port), ordering: .relaxed)
        for (box, fd) in zip(loops, fds) {
            box.execute { server in
                let acceptor = Acceptor(fd: fd, server: server)
                do {
                    try acceptor.start()
                    server.acceptor = acceptor
                } catch {
                    server.warn("cannot register listener: \(error)")
                    Socket.close(fd)
                }
            }
        }
    }

    /// First step of SIGTERM: every answer now closes its connection; the application reports not ready.
    public func markNotReady() {
        state.notReady.store(true, ordering: .relaxed)
    }

    /// Starts a graceful drain: stop accepting, close idle connections, answer busy ones with close.
    /// Idempotent. The application answers its own parked requests (its drain runs beside this one).
    public func drain() {
        state.notReady.store(true, ordering: .relaxed)
        guard !state.draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for box in loops { box.execute { $0.drain() } }
    }

    /// Resumes once no connection is open, or after `seconds`.
    /// - Returns: whether every connection closed in time.
    public func waitUntilIdle(seconds: Double) async -> Bool {
        await idle.wait(timeoutNanos: nanos(seconds: seconds), timerLoop: group.loops[0])
    }

    /// Closes every connection (and listener) at once; resumes when every loop has done it.
    public func closeAll() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let remaining = Atomic<Int>(loops.count)
            for box in loops {
                box.execute { server in
                    server.closeAll()
                    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { done.resume() }
                }
            }
        }
    }

    /// Drains, closes every connection at once, and stops the loops (tests; blocks the calling thread,
    /// which must not be one of the loops).
    public func stopNow() {
        precondition(!group.loops.contains { $0.inEventLoop }, "stopNow blocks: call it off the loops")
        drain()
        let done = DispatchGroup()
        for box in loops {
            done.enter()
            box.execute { server in
                server.closeAll()
                done.leave()
            }
        }
        _ = done.wait(timeout: .now() + 5)
        group.stopAndWait()
    }

    // MARK: diagnostics (tests; they block the calling thread, which must not be one of the loops)

    /// Requests dispatched since start, summed over the loops.
    public func requestsDispatched() -> Int { sumOverLoops { $0.requestsDispatched } }

    /// Response bytes queued in user space over all connections (back-pressure checks).
    public func queuedOutputBytes() -> Int { sumOverLoops { $0.connections.values.reduce(0) { $0 + $1.queuedOutputBytes } } }

    /// Request bytes buffered in user space over all connections.
    public func bufferedInputBytes() -> Int { sumOverLoops { $0.connections.values.reduce(0) { $0 + $1.bufferedInputBytes } } }

    private func sumOverLoops(_ body: @escaping (ServerLoop) -> Int) -> Int {
        precondition(!group.loops.contains { $0.inEventLoop }, "diagnostics block: call them off the loops")
        let total = Atomic<Int>(0)
        let done = DispatchGroup()
        for box in loops {
            done.enter()
            box.execute { server in
                total.add(body(server), ordering: .relaxed)
                done.leave()
            }
        }
        _ = done.wait(timeout: .now() + 5)
        return total.load(ordering: .relaxed)
    }
}
