// Settings shared by the command connection and the subscriber: deadlines and reconnect backoff, every
// one a named value with its unit in the name. Plus the connection state reported to observers.

/// Timeouts and reconnect policy of a `RedisConnection` or `RedisSubscriber`.
public struct RedisConnectionConfiguration: Sendable, Equatable {
    /// Deadline for commands sent without an explicit `timeoutNanos`; nil means no deadline.
    public var defaultCommandTimeoutNanos: UInt64?
    /// Deadline for a connection attempt, handshake included (AUTH, SELECT, SCRIPT LOAD, PING; or the
    /// subscriber's re-SUBSCRIBE). Past it the attempt is dropped and retried after backoff.
    public var connectTimeoutNanos: UInt64
    /// Delay before the first reconnect after a connection is lost or an attempt fails.
    public var reconnectInitialDelayNanos: UInt64
    /// Cap on the reconnect delay, which doubles after each failed attempt.
    public var reconnectMaxDelayNanos: UInt64

    /// Creates a configuration.
    /// - Parameters:
    ///   - defaultCommandTimeoutNanos: default per-command deadline (5 s); nil for none.
    ///   - connectTimeoutNanos: attempt + handshake deadline (2 s).
    ///   - reconnectInitialDelayNanos: first backoff (50 ms).
    ///   - reconnectMaxDelayNanos: backoff cap (2 s).
    public init(
        defaultCommandTimeoutNanos: UInt64? = 5_000_000_000,
        connectTimeoutNanos: UInt64 = 2_000_000_000,
        reconnectInitialDelayNanos: UInt64 = 50_000_000,
        reconnectMaxDelayNanos: UInt64 = 2_000_000_000
    ) {
        self.defaultCommandTimeoutNanos = defaultCommandTimeoutNanos
        self.connectTimeoutNanos = connectTimeoutNanos
        self.reconnectInitialDelayNanos = reconnectInitialDelayNanos
        self.reconnectMaxDelayNanos = max(reconnectMaxDelayNanos, reconnectInitialDelayNanos)
    }
}

/// Whether a connection can take commands.
public enum RedisConnectionState: Sendable, Equatable {
    /// Connected and handshake done: commands are sent.
    case connected
    /// Down, connecting or backing off: commands fail at once with `.notConnected`.
    case disconnected
}

/// Capped exponential backoff: initial, doubling, up to the cap; reset after a successful connect.
struct ReconnectBackoff {
    let initialNanos: UInt64
    let maxNanos: UInt64
    private var nextNanos: UInt64

    init(_ configuration: RedisConnectionConfiguration) {
        initialNanos = configuration.reconnectInitialDelayNanos
        maxNanos = configuration.reconnectMaxDelayNanos
        nextNanos = initialNanos
    }

    /// The delay to wait now; the following one is doubled (capped).
    mutating func nextDelay() -> UInt64 {
        let d = nextNanos
        nextNanos = min(maxNanos, nextNanos > maxNanos / 2 ? maxNanos : nextNanos * 2)
        return d
    }

    /// Back to the initial delay (after a successful connect).
    mutating func reset() { nextNanos = initialNanos }
}
