// API: the node's Redis, whichever the deployment mode (contract §10): `RedisClient` (one server) or
// `RedisClusterClient` (Redis Cluster). It hands each loop its shared command connection, makes
// dedicated connections (a blocking stream read must not hold up the loop's shared one) and the node's
// pub/sub connection, and offers async calls for code off the loops. `RedisBackends.make` picks the
// mode from the URL's scheme.
import Reactor

/// A deployment's Redis as the gateway uses it. Sendable: every call hops onto a loop.
public protocol RedisBackend: AnyObject, Sendable {
    /// The address as logged (no password).
    var description: String { get }
    /// True in cluster mode.
    var isCluster: Bool { get }
    /// The shared command connection of `loop`. Call on `loop` only; the result must not leave it.
    func commands(on loop: EventLoop) -> any RedisCommandTarget
    /// A new dedicated command connection on `loop` (not started; call `start()` on `loop`).
    func makeConnection(on loop: EventLoop) -> any RedisCommandTarget
    /// A new pub/sub connection on `loop` (not started).
    func makeSubscriber(on loop: EventLoop) -> any RedisPubSub
    /// Runs one command routed by `key` and returns its reply (an error reply thrown as `.server`).
    func command(_ args: [String], key: String?, timeoutNanos: UInt64?) async throws(RedisError) -> RedisReply
    /// Runs a script routed by `keys[0]` (an error reply thrown as `.server`).
    func evalScript(_ script: RedisScript, keys: [String], args: [String], timeoutNanos: UInt64?) async throws(RedisError) -> RedisReply
    /// Waits until every loop's command connection is usable.
    func waitUntilReady(timeoutNanos: UInt64) async throws(RedisError)
    /// Closes every loop's command connection.
    func close() async
}

extension RedisBackend {
    /// `command` with the default deadline.
    public func command(_ args: [String], key: String?) async throws(RedisError) -> RedisReply {
        try await command(args, key: key, timeoutNanos: nil)
    }

    /// `evalScript` with the default deadline.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = []) async throws(RedisError) -> RedisReply {
        try await evalScript(script, keys: keys, args: args, timeoutNanos: nil)
    }
}

/// Makes the backend a URL names.
public enum RedisBackends {
    /// `redis-cluster://…` makes a `RedisClusterClient`; any other URL `RedisAddress` parses a `RedisClient`.
    /// - Parameter commandTimeoutNanos: the default deadline of every command.
    /// - Throws: `RedisError` for a URL that does not parse.
    public static func make(url: String, group: EventLoopGroup, commandTimeoutNanos: UInt64?) throws(RedisError) -> any RedisBackend {
        if RedisClusterAddress.isClusterURL(url) {
            var config = RedisClusterConfiguration()
            config.connection.defaultCommandTimeoutNanos = commandTimeoutNanos
            return RedisClusterClient(group: group, address: try RedisClusterAddress(parsing: url), configuration: config)
        }
        var config = RedisConnectionConfiguration()
        config.defaultCommandTimeoutNanos = commandTimeoutNanos
        return RedisClient(group: group, address: try RedisAddress(parsing: url), configuration: config)
    }
}
