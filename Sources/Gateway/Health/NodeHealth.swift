// What the application adds to the server core's flags to decide readiness: its store and its stored
// throttle limits. Safe from any thread.
import HTTPServer
import Synchronization

/// The node's readiness inputs beyond the server core's own (not ready / draining).
public final class NodeHealth: Sendable {
    /// The server core's counters and drain flags.
    public let server: ServerState
    /// Whether the command connections to Redis are up.
    public let redisReady = Atomic<Bool>(false)
    /// Whether the throttle limits stored in Redis were read once (until then the node would enforce
    /// the defaults, so it is not ready). Nodes without a throttle set it at once.
    public let limitsLoaded = Atomic<Bool>(true)
    /// Whether webhook delivery's consumer group exists on the events stream (until then an event emitted
    /// here could be missed by delivery, so the node is not ready). Nodes without delivery set it at once.
    public let webhooksReady = Atomic<Bool>(true)

    public init(server: ServerState) { self.server = server }

    /// True when the node is draining or about to (SIGTERM received).
    public var isRetiring: Bool { server.notReady.load(ordering: .relaxed) || server.draining.load(ordering: .relaxed) }

    /// True when the node should receive traffic.
    public var isReady: Bool {
        !isRetiring && redisReady.load(ordering: .relaxed) && limitsLoaded.load(ordering: .relaxed)
            && webhooksReady.load(ordering: .relaxed)
    }
}
