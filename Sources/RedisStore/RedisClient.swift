// A Sendable async facade over the per-loop connections, for code off the loops (CLI commands, tests,
// startup). Each call hops to a loop with `execute`, runs there, and resumes its continuation exactly
// once (the connection's completion contract). Hot paths on the loops use `connection(on:)` directly.
import Reactor

/// One `RedisConnection` per loop of a group, plus async calls usable from any thread.
public final class RedisClient: Sendable {
    /// Where the connections go.
    public let address: RedisAddress
    /// Deadlines and backoff of every connection it makes.
    public let configuration: RedisConnectionConfiguration
    private let perLoop: PerLoop<RedisConnection>

    /// Creates one connection per loop of `group` and starts them (on their loops).
    /// - Parameters:
    ///   - group: the loops; they must be running (or started soon) for any call to complete.
    ///   - address: a parsed, numeric address.
    ///   - configuration: deadlines and backoff.
    public init(group: EventLoopGroup, address: RedisAddress, configuration: RedisConnectionConfiguration = .init()) {
        self.address = address
        self.configuration = configuration
        self.perLoop = PerLoop(group: group, owner: "RedisClient", make: { RedisConnection(address: address, loop: $0, configuration: configuration) },
                               start: { $0.start() })
    }

    /// The connection living on `loop`. Call on `loop` only; the result must not leave it.
    public func connection(on loop: EventLoop) -> RedisConnection {
        perLoop.value(on: loop)
    }

    /// Runs one command and returns its reply.
    /// - Parameters:
    ///   - args: the command and its arguments, e.g. `["SET", "k", "v"]`.
    ///   - timeoutNanos: deadline; nil uses the configured default.
    /// - Returns: the reply (never `.error`).
    /// - Throws: `RedisError.server` for an error reply; `.notConnected`, `.disconnected`, `.timeout`,
    ///   `.protocolError` otherwise.
    public func command(_ args: [String], timeoutNanos: UInt64? = nil) async throws(RedisError) -> RedisReply {
        let command = RedisCommand(args)
        return try await onSomeLoop { connection, done in
            connection.send(command, timeoutNanos: timeoutNanos, done)
        }
    }

    /// Runs a Lua script (EVALSHA, EVAL on NOSCRIPT) and returns its reply.
    /// - Throws: `RedisError.server` for a script or Redis error reply; transport errors otherwise.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = [],
                           timeoutNanos: UInt64? = nil) async throws(RedisError) -> RedisReply {
        try await perLoop.evalScript(script, keys: keys, args: args, timeoutNanos: timeoutNanos)
    }

    /// Waits until every connection is connected.
    /// - Throws: `RedisError.notConnected` if one is not connected within `timeoutNanos`.
    public func waitUntilConnected(timeoutNanos: UInt64) async throws(RedisError) {
        let ok = await perLoop.onEveryLoop { value, done in value.waitForConnection(timeoutNanos: timeoutNanos, done) }
        if !ok { throw .notConnected }
    }

    /// Closes every connection (no reconnect afterwards); returns once each loop has done so.
    public func close() async {
        await perLoop.closeAll()
    }

    private func onSomeLoop(
        _ body: @escaping @Sendable (RedisConnection, @escaping (Result<RedisReply, RedisError>) -> Void) -> Void
    ) async throws(RedisError) -> RedisReply {
        try await perLoop.onSomeLoop(body)
    }
}

extension RedisClient: RedisBackend {
    public var description: String { address.description }
    public var isCluster: Bool { false }

    public func commands(on loop: EventLoop) -> any RedisCommandTarget { perLoop.value(on: loop) }

    public func makeConnection(on loop: EventLoop) -> any RedisCommandTarget {
        RedisConnection(address: address, loop: loop, configuration: configuration)
    }

    public func makeSubscriber(on loop: EventLoop) -> any RedisPubSub {
        RedisSubscriber(address: address, loop: loop, configuration: configuration)
    }

    public func command(_ args: [String], key: String?, timeoutNanos: UInt64?) async throws(RedisError) -> RedisReply {
        try await command(args, timeoutNanos: timeoutNanos)
    }

    public func waitUntilReady(timeoutNanos: UInt64) async throws(RedisError) {
        try await waitUntilConnected(timeoutNanos: timeoutNanos)
    }
}
