// A Sendable async facade over one `RedisClusterConnection` per loop, for code off the loops (CLI, tests,
// startup), like `RedisClient` for a single server. Each call hops to a loop with `execute`, runs there,
// and resumes its continuation exactly once. Hot paths on the loops use `connection(on:)` directly.
import Reactor
import Synchronization

/// One cluster router per loop of a group, plus async calls usable from any thread.
public final class RedisClusterClient: Sendable {
    private struct Slot: @unchecked Sendable {
        // @unchecked: the router is created here, then touched only on `loop` (its methods check it).
        let loop: EventLoop
        let connection: RedisClusterConnection
    }

    /// Seeds and credentials.
    public let address: RedisClusterAddress
    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    /// Creates one router per loop of `group` and starts them (on their loops).
    /// - Parameters:
    ///   - group: the loops; they must be running (or started soon) for any call to complete.
    ///   - address: seed nodes and credentials.
    ///   - configuration: redirects, retries, refreshes, per-node connections.
    public init(group: EventLoopGroup, address: RedisClusterAddress, configuration: RedisClusterConfiguration = .init()) {
        self.address = address
        self.slots = group.loops.map { Slot(loop: $0, connection: RedisClusterConnection(address: address, loop: $0, configuration: configuration)) }
        for slot in slots {
            slot.loop.execute { slot.connection.start() }
        }
    }

    /// The router living on `loop`. Call on `loop` only; the result must not leave it.
    public func connection(on loop: EventLoop) -> RedisClusterConnection {
        precondition(loop.inEventLoop, "RedisClusterClient.connection(on:) must run on that loop")
        guard let slot = slots.first(where: { $0.loop === loop }) else {
            preconditionFailure("RedisClusterClient has no router on loop \(loop.index)")
        }
        return slot.connection
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
        try await onSomeLoop { connection, done in
            connection.evalScript(script, keys: keys, args: args, timeoutNanos: timeoutNanos, done)
        }
    }

    /// Waits until every router is ready (full slot map, every primary connected).
    /// - Throws: `RedisError.notConnected` if one is not ready within `timeoutNanos`.
    public func waitUntilReady(timeoutNanos: UInt64) async throws(RedisError) {
        for slot in slots {
            let ok = await withCheckedContinuation { (cont: CheckedContinuation<Bool, Never>) in
                slot.loop.execute {
                    slot.connection.waitUntilReady(timeoutNanos: timeoutNanos) { cont.resume(returning: $0) }
                }
            }
            if !ok { throw .notConnected }
        }
    }

    /// Closes every router (no reconnect afterwards); returns once each loop has done so.
    public func close() async {
        for slot in slots {
            await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
                slot.loop.execute {
                    slot.connection.close()
                    cont.resume()
                }
            }
        }
    }

    private func onSomeLoop(
        _ body: @escaping @Sendable (RedisClusterConnection, @escaping (Result<RedisReply, RedisError>) -> Void) -> Void
    ) async throws(RedisError) -> RedisReply {
        let slot = slots[next.add(1, ordering: .relaxed).oldValue % slots.count]
        let result = await withCheckedContinuation { (cont: CheckedContinuation<Result<RedisReply, RedisError>, Never>) in
            slot.loop.execute {
                body(slot.connection) { cont.resume(returning: $0) }
            }
        }
        switch result {
        case .success(.error(let message)): throw .server(message)
        case .success(let reply): return reply
        case .failure(let error): throw error
        }
    }
}
