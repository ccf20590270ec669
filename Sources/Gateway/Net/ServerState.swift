// Node-wide state shared by every loop: lock-free counters and flags.
import Synchronization

/// Node-wide counters and flags, safe from any thread.
public final class ServerState: Sendable {
    /// Open client connections on this node.
    public let openConnections = Atomic<Int>(0)
    /// Connections closed at accept because `maxConnections` was reached.
    public let refusedConnections = Atomic<Int>(0)
    /// Set first on SIGTERM: /readyz turns 503 so load balancers stop sending; the node still serves.
    public let notReady = Atomic<Bool>(false)
    /// Set after the drain delay: parked polls are answered, keep-alive ends, accepting stops.
    public let draining = Atomic<Bool>(false)
    /// Whether the command connections to Redis are up (drives /readyz).
    public let redisReady = Atomic<Bool>(false)
    /// Whether the throttle limits stored in Redis were read once (until then the node would enforce
    /// the defaults, so it is not ready). Nodes without a throttle set it at once.
    public let limitsLoaded = Atomic<Bool>(true)

    public init() {}

    /// True when the node should receive traffic.
    public var isReady: Bool {
        !notReady.load(ordering: .relaxed) && !draining.load(ordering: .relaxed) && redisReady.load(ordering: .relaxed)
            && limitsLoaded.load(ordering: .relaxed)
    }
}
