// Settings of the Redis Cluster router (`RedisClusterConnection`): redirects, retries, slot-map
// refreshes. Every limit is a named value with its unit in the name; the per-node connections keep their
// own `RedisConnectionConfiguration` (deadlines, reconnect backoff).
import Reactor

/// Redirect, retry and refresh policy of a `RedisClusterConnection`.
public struct RedisClusterConfiguration: Sendable, Equatable {
    /// Settings of each per-node connection; its `defaultCommandTimeoutNanos` is also the deadline of a
    /// routed command sent without one, redirects and retries included.
    public var connection: RedisConnectionConfiguration
    /// Most MOVED/ASK redirects followed for one command; past it the last redirect is its reply.
    public var maxRedirects: Int
    /// Most TRYAGAIN/CLUSTERDOWN retries for one command (the deadline usually stops it first).
    public var maxRetries: Int
    /// First delay before retrying a TRYAGAIN/CLUSTERDOWN reply; doubles per retry.
    public var retryInitialDelayNanos: UInt64
    /// Cap on the retry delay.
    public var retryMaxDelayNanos: UInt64
    /// Least time between two CLUSTER SLOTS refreshes of one loop's router (later requests wait for it).
    public var refreshMinIntervalNanos: UInt64
    /// Deadline of one CLUSTER SLOTS request.
    public var refreshTimeoutNanos: UInt64

    /// Creates a configuration.
    /// - Parameters:
    ///   - connection: per-node connection settings (defaults of `RedisConnectionConfiguration`).
    ///   - maxRedirects: redirects per command (5).
    ///   - maxRetries: TRYAGAIN/CLUSTERDOWN retries per command (50).
    ///   - retryInitialDelayNanos: first retry delay (10 ms).
    ///   - retryMaxDelayNanos: retry delay cap (200 ms).
    ///   - refreshMinIntervalNanos: least time between refreshes (100 ms).
    ///   - refreshTimeoutNanos: CLUSTER SLOTS deadline (1 s).
    public init(
        connection: RedisConnectionConfiguration = .init(),
        maxRedirects: Int = 5,
        maxRetries: Int = 50,
        retryInitialDelayNanos: UInt64 = 10_000_000,
        retryMaxDelayNanos: UInt64 = 200_000_000,
        refreshMinIntervalNanos: UInt64 = 100_000_000,
        refreshTimeoutNanos: UInt64 = 1_000_000_000
    ) {
        self.connection = connection
        self.maxRedirects = max(0, maxRedirects)
        self.maxRetries = max(0, maxRetries)
        self.retryInitialDelayNanos = max(1, retryInitialDelayNanos)
        self.retryMaxDelayNanos = max(retryMaxDelayNanos, self.retryInitialDelayNanos)
        self.refreshMinIntervalNanos = refreshMinIntervalNanos
        self.refreshTimeoutNanos = refreshTimeoutNanos
    }

    /// The delay before retry number `attempt` (0-based): initial, doubling, capped.
    func retryDelay(attempt: Int) -> UInt64 {
        var d = retryInitialDelayNanos
        for _ in 0..<min(attempt, 32) where d < retryMaxDelayNanos { d = d > retryMaxDelayNanos / 2 ? retryMaxDelayNanos : d * 2 }
        return min(d, retryMaxDelayNanos)
    }
}

/// One command routed by a `RedisClusterConnection`: what to send, where it must go, and its one
/// completion. Loop thread only.
final class ClusterRequest {
    enum Operation {
        case command(RedisCommand)
        case script(RedisScript, keys: [String], args: [String])
    }

    let operation: Operation
    /// The hash slot of its keys; nil for a keyless command (any primary).
    let slot: Int?
    /// Absolute deadline (loop clock); nil for none.
    let deadline: UInt64?
    var redirects = 0
    var retries = 0
    /// Set by an ASK redirect: the next attempt goes there, after ASKING, once.
    var askTarget: RedisClusterNode?
    /// A pending retry timer.
    var timer: LoopTimer?
    private var completion: ((Result<RedisReply, RedisError>) -> Void)?

    init(_ operation: Operation, slot: Int?, deadline: UInt64?, _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        self.operation = operation
        self.slot = slot
        self.deadline = deadline
        self.completion = completion
    }

    /// Runs the completion if it has not run yet.
    func finish(_ result: Result<RedisReply, RedisError>) {
        guard let c = completion else { return }
        completion = nil
        timer?.cancel()
        timer = nil
        c(result)
    }
}
