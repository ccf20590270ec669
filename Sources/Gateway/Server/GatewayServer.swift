// API: a node's lifecycle. `start()` opens one SO_REUSEPORT listener per loop and starts the loops;
// `drain()` (SIGTERM) marks the node draining (/readyz 503), stops accepting, closes idle
// connections, runs the drain hooks (long-poll answers its parked polls), lets in-flight answers
// finish with `Connection: close`, and `waitForConnections` bounds that by the grace period.
import Foundation
import Reactor
import Synchronization

/// One gateway node: loops, listeners, connections.
public final class GatewayServer: Sendable {
    /// Settings.
    public let configuration: ServerConfiguration
    /// Node-wide counters and flags.
    public let state: ServerState
    /// The loops.
    public let group: EventLoopGroup
    private let contexts: [LoopBound<LoopContext>]
    private let drainHooks = Mutex<[@Sendable () -> Void]>([])
    private let boundPort = Atomic<Int>(0)

    /// Creates a node (not yet listening).
    /// - Throws: `IOError` when a loop cannot be created.
    /// Per-loop statistics (requests, latencies, Redis round trips, wakes).
    public let stats: NodeStats

    public init(configuration: ServerConfiguration, router: Router, group: EventLoopGroup, state: ServerState = ServerState(),
                stats: NodeStats? = nil) {
        self.configuration = configuration
        self.state = state
        self.group = group
        let stats = stats ?? NodeStats(loops: group.loops)
        self.stats = stats
        self.contexts = group.loops.map {
            LoopBound(LoopContext(loop: $0, configuration: configuration, state: state, router: router, stats: stats.on($0.index)))
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
            for _ in contexts {
                let fd = try Socket.listen(address, reusePort: true)
                if address.port == 0 { address.port = Socket.localPort(fd) }
                fds.append(fd)
            }
        } catch {
            for fd in fds { Socket.close(fd) }
            throw error
        }
        boundPort.store(Int(address.port), ordering: .relaxed)
        for (box, fd) in zip(contexts, fds) {
            box.value.loop.execute {
                let context = box.value
                let acceptor = Acceptor(fd: fd, context: context)
                do {
                    try acceptor.start()
                    context.acceptor = acceptor
                } catch {
                    Log.error("cannot register listener", [("error", "\(error)")])
                    Socket.close(fd)
                }
            }
        }
    }

    /// Registers work to run once when the node starts draining (e.g. answer parked polls).
    public func onDrain(_ hook: @escaping @Sendable () -> Void) {
        drainHooks.withLock { $0.append(hook) }
    }

    /// First step of SIGTERM: /readyz answers 503 while the node keeps serving (load balancers notice).
    public func markNotReady() {
        state.notReady.store(true, ordering: .relaxed)
    }

    /// Starts a graceful drain: not ready, stop accepting, close idle connections, answer parked ones.
    public func drain() {
        state.notReady.store(true, ordering: .relaxed)
        guard !state.draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for hook in drainHooks.withLock({ $0 }) { hook() }
        for box in contexts {
            box.value.loop.execute {
                let context = box.value
                context.acceptor?.close()
                context.acceptor = nil
                context.drain()
            }
        }
    }

    /// Drains, closes every connection at once, and stops the loops (tests and the end of `serve`).
    public func stopNow() {
        drain()
        let done = DispatchGroup()
        for box in contexts {
            done.enter()
            box.value.loop.execute {
                for conn in Array(box.value.connections.values) { conn.close() }
                done.leave()
            }
        }
        _ = done.wait(timeout: .now() + 5)
        group.stopAndWait()
    }

    /// Runs `body` on every loop's context and sums the results (diagnostics and tests; blocks the caller).
    func sumOverLoops(_ body: @escaping @Sendable (LoopContext) -> Int) -> Int {
        let total = Atomic<Int>(0)
        let done = DispatchGroup()
        for box in contexts {
            done.enter()
            box.value.loop.execute {
                total.add(body(box.value), ordering: .relaxed)
                done.leave()
            }
        }
        _ = done.wait(timeout: .now() + 5)
        return total.load(ordering: .relaxed)
    }

    /// Requests dispatched since start, summed over the loops.
    public func requestsDispatched() -> Int {
        sumOverLoops { $0.requestsDispatched }
    }

    /// Response bytes queued in user space over all connections (back-pressure checks).
    public func queuedOutputBytes() -> Int {
        sumOverLoops { ctx in ctx.connections.values.reduce(0) { $0 + $1.output.count - $1.outputStart } }
    }

    /// Request bytes buffered in user space over all connections.
    public func bufferedInputBytes() -> Int {
        sumOverLoops { ctx in ctx.connections.values.reduce(0) { $0 + $1.input.count - $1.inputStart } }
    }

    /// Waits until no connection is open or `seconds` pass; returns whether all closed.
    public func waitForConnections(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if state.openConnections.load(ordering: .relaxed) == 0 { return true }
            usleep(20_000)
        }
        return state.openConnections.load(ordering: .relaxed) == 0
    }
}
