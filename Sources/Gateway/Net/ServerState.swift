// Node-wide state shared by every loop: lock-free counters and flags.
import Synchronization

/// Node-wide counters and flags, safe from any thread.
public final class ServerState: Sendable {
    /// Open client connections on this node.
    public let openConnections = Atomic<Int>(0)
    /// Connections closed at accept because `maxConnections` was reached.
    public let refusedConnections = Atomic<Int>(0)
    /// Set on SIGTERM: /readyz turns 503, keep-alive ends, parked polls are answered.
    public let draining = Atomic<Bool>(false)
    /// Whether the command connections to Redis are up (drives /readyz).
    public let redisReady = Atomic<Bool>(false)

    public init() {}

    /// True when the node should receive traffic.
    public var isReady: Bool {
        !draining.load(ordering: .relaxed) && redisReady.load(ordering: .relaxed)
    }
}
