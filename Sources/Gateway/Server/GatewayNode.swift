// API: a whole node as a service (swift-service-lifecycle's shape). Building a `GatewayNode` starts
// nothing; `start()` starts every part (`NodeRuntime`, in order) and returns once it listens; `run()`
// starts it, waits for `requestShutdown()` (SIGTERM) and shuts it down; `shutdown()` is the SIGTERM
// path: drain delay, drain, grace period, then everything stopped in reverse start order, with no sleeps,
// polling loops or semaphores. Used by `gateway serve` and by tests that want a real node in-process.
import HTTPServer
import Reactor
import RedisStore
import Synchronization

/// A gateway node.
public final class GatewayNode: Sendable {
    /// Settings in force.
    public let configuration: ServerConfiguration
    private let clock: any LoopClock
    private let runtime = Mutex<NodeRuntime?>(nil)
    private let stopRequested = OneShotSignal()

    /// Builds a node; nothing runs until `start()` or `run()`.
    /// - Parameter clock: the loops' clock (tests inject a manual one to move deadlines without sleeping).
    public init(_ configuration: ServerConfiguration, clock: any LoopClock = MonotonicClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Builds and starts a node (tests and tools).
    /// - Throws: as `start()`.
    public static func start(_ configuration: ServerConfiguration, clock: any LoopClock = MonotonicClock()) throws -> GatewayNode {
        let node = GatewayNode(configuration, clock: clock)
        try node.start()
        return node
    }

    /// Starts Redis (embedded if no URL), the loops, long-poll, throttle, attendance and the listeners.
    /// - Throws: `ConfigurationError` for a bad Redis URL, unusable JWT keys or a missing redis-server,
    ///   `IOError` when the listen address cannot be bound.
    public func start() throws {
        precondition(runtime.withLock { $0 } == nil, "GatewayNode.start called twice")
        let started = try NodeRuntime.start(configuration, clock: clock)
        runtime.withLock { $0 = started }
    }

    /// Runs the node until `requestShutdown()`, then shuts it down.
    /// - Returns: whether every connection finished within the grace period.
    /// - Throws: as `start()`.
    public func run() async throws -> Bool {
        try start()
        await stopRequested.wait()
        return await shutdown()
    }

    /// Asks a running `run()` to shut the node down (e.g. on SIGTERM); safe from any thread.
    public func requestShutdown() { stopRequested.fire() }

    /// The SIGTERM path: not ready for the drain delay, drain, wait up to the grace period, then stop
    /// everything in reverse start order.
    /// - Returns: whether every connection finished within the grace period.
    @discardableResult
    public func shutdown() async -> Bool {
        guard let parts = runtime.withLock({ $0 }) else { return true }
        return await parts.stop(configuration)
    }

    private var parts: NodeRuntime {
        guard let r = runtime.withLock({ $0 }) else { preconditionFailure("GatewayNode used before start()") }
        return r
    }

    /// The HTTP server core.
    public var server: HTTPServer { parts.server }
    /// Readiness inputs (Redis, stored limits) beside the server's own flags.
    public var health: NodeHealth { parts.health }
    /// The Redis side (one connection per loop).
    public var redis: RedisClient { parts.redis }
    /// The private redis-server, when the node started one.
    public var embeddedRedis: EmbeddedRedis? { parts.embeddedRedis }
    /// Parked polls and room subscriptions.
    public var longPoll: LongPollService { parts.longPoll }
    /// Rate limiting.
    public var throttle: ThrottleService { parts.throttle }
    /// True when the node should receive traffic (false before `start()`).
    public var isReady: Bool { runtime.withLock { $0 }?.health.isReady ?? false }
}
