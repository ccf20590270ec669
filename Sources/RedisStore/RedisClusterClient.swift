// A Sendable async facade over one `RedisClusterConnection` per loop, for code off the loops (CLI, tests,
// startup), like `RedisClient` for a single server. Each call hops to a loop with `execute`, runs there,
// and resumes its continuation exactly once. Hot paths on the loops use `connection(on:)` directly.
import Reactor

/// One cluster router per loop of a group, plus async calls usable from any thread.
public final class RedisClusterClient: Sendable {
    /// Seeds and credentials.
    public let address: RedisClusterAddress
    /// Redirects, retries and per-node connection settings of every router it makes.
    public let configuration: RedisClusterConfiguration
    private let perLoop: PerLoop<RedisClusterConnection>

    /// Creates one router per loop of `group` and starts them (on their loops).
    /// - Parameters:
    ///   - group: the loops; they must be running (or started soon) for any call to complete.
    ///   - address: seed nodes and credentials.
    ///   - configuration: redirects, retries, refreshes, per-node connections.
    public init(group: EventLoopGroup, address: RedisClusterAddress, configuration: RedisClusterConfiguration = .init()) {
        self.address = address
        self.configuration = configuration
        self.perLoop = PerLoop(group: group, owner: "RedisClusterClient", make: { RedisClusterConnection(address: address, loop: $0, configuration: configuration) },
                               start: { $0.start() })
    }

    /// The router living on `loop`. Call on `loop` only; the result must not leave it.
    public func connection(on loop: EventLoop) -> RedisClusterConnection {
        perLoop.value(on: loop)
    }

    /// Runs one command on the primary serving `key` (any primary when nil) and returns its reply.
    /// - Parameters:
    ///   - args: the command and its arguments, e.g. `["SET", "k", "v"]`.
    ///   - key: the routing key.
    ///   - timeoutNanos: deadline, redirects and retries included; nil uses the configured default.
    /// - Returns: the reply (never `.error`).
    /// - Throws: `RedisError.server` for an error reply; transport errors otherwise.
    public func command(_ args: [String], key: String?, timeoutNanos: UInt64? = nil) async throws(RedisError) -> RedisReply {
        let command = RedisCommand(args)
        return try await onSomeLoop { connection, done in
            connection.send(command, key: key, timeoutNanos: timeoutNanos, done)
        }
    }

    /// Runs a Lua script (EVALSHA, EVAL on NOSCRIPT) on the primary serving `keys[0]`.
    /// - Throws: `RedisError.server` for a script or Redis error reply; transport errors otherwise.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = [],
                           timeoutNanos: UInt64? = nil) async throws(RedisError) -> RedisReply {
        try await perLoop.evalScript(script, keys: keys, args: args, timeoutNanos: timeoutNanos)
    }

    /// Waits until every router is ready (full slot map, every primary connected).
    /// - Throws: `RedisError.notConnected` if one is not ready within `timeoutNanos`.
    public func waitUntilReady(timeoutNanos: UInt64) async throws(RedisError) {
        let ok = await perLoop.onEveryLoop { value, done in value.waitUntilReady(timeoutNanos: timeoutNanos, done) }
        if !ok { throw .notConnected }
    }

    /// Closes every router (no reconnect afterwards); returns once each loop has done so.
    public func close() async {
        await perLoop.closeAll()
    }

    private func onSomeLoop(
        _ body: @escaping @Sendable (RedisClusterConnection, @escaping (Result<RedisReply, RedisError>) -> Void) -> Void
    ) async throws(RedisError) -> RedisReply {
        try await perLoop.onSomeLoop(body)
    }
}
