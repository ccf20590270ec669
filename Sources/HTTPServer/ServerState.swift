// Node-wide state of the server core shared by every loop: lock-free counters and flags.
import Synchronization

/// Connection counters and drain flags, safe from any thread.
public final class ServerState: Sendable {
    /// Open client connections.
    public let openConnections = Atomic<Int>(0)
    /// Connections closed at accept because `maxConnections` was reached.
    public let refusedConnections = Atomic<Int>(0)
    /// Set first on SIGTERM: the application reports not-ready while the server still serves, and every
    /// answer closes its connection.
    public let notReady = Atomic<Bool>(false)
    /// Set when the drain begins: parked requests are answered, keep-alive ends, accepting stops.
    public let draining = Atomic<Bool>(false)

    public init() {}

    /// Whether answers should retire their connections now (not ready, or draining).
    @inline(__always)
    var retiring: Bool { notReady.load(ordering: .relaxed) || draining.load(ordering: .relaxed) }
}
