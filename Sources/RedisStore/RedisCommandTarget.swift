// API: what code on a loop asks of "a Redis", whichever the deployment mode (contract §10). A single
// server's `RedisConnection` and a cluster's `RedisClusterConnection` both conform, so the gateway holds
// `any RedisCommandTarget` and never branches on the mode. Routing: `key` (a command's) or `keys[0]`
// (a script's) picks the hash slot in cluster mode and is ignored by a single server; every key of one
// call must share that slot (a cluster connection asserts it in debug builds).
import Reactor

/// One loop's command connection to Redis (single server or cluster). Loop thread only.
public protocol RedisCommandTarget: AnyObject {
    /// The loop that owns it.
    var loop: EventLoop { get }
    /// True while commands can be sent (single: connected; cluster: slot map known, primaries up).
    var isConnected: Bool { get }
    /// True for a cluster router (scripts then publish wakes with SPUBLISH, see `RedisPubSub`).
    var isCluster: Bool { get }
    /// Called on the loop when the connection becomes usable or stops being usable.
    var onStateChange: ((RedisConnectionState) -> Void)? { get set }
    /// Called on the loop after every command with its duration and whether it failed in transport.
    var onCommandComplete: ((_ nanos: UInt64, _ failed: Bool) -> Void)? { get set }
    /// Sends one command, routed by `key` in cluster mode (nil: any primary).
    func send(_ command: RedisCommand, key: String?, timeoutNanos: UInt64?, _ completion: @escaping (Result<RedisReply, RedisError>) -> Void)
    /// Runs a script (EVALSHA, EVAL on NOSCRIPT), routed by `keys[0]` in cluster mode.
    func evalScript(_ script: RedisScript, keys: [String], args: [String], timeoutNanos: UInt64?,
                    _ completion: @escaping (Result<RedisReply, RedisError>) -> Void)
    /// Remembers `script` so every (re)connect loads it.
    func register(_ script: RedisScript)
    /// Calls back true once usable (at once if already), false after `timeoutNanos` or on close.
    func waitForConnection(timeoutNanos: UInt64, _ callback: @escaping (Bool) -> Void)
    /// Starts connecting (a dedicated connection from `RedisBackend.makeConnection`).
    func start()
    /// Closes for good.
    func close()
}

extension RedisCommandTarget {
    /// `send` with the default deadline.
    public func send(_ command: RedisCommand, key: String?, _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        send(command, key: key, timeoutNanos: nil, completion)
    }

    /// `evalScript` with the default deadline.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = [],
                           _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        evalScript(script, keys: keys, args: args, timeoutNanos: nil, completion)
    }

    /// The verb a script publishes a slot-bound channel with: SPUBLISH on a cluster, PUBLISH otherwise.
    public var publishVerb: String { isCluster ? "SPUBLISH" : "PUBLISH" }
}

extension RedisConnection: RedisCommandTarget {
    public var isCluster: Bool { false }

    public func send(_ command: RedisCommand, key: String?, timeoutNanos: UInt64?, _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        send(command, timeoutNanos: timeoutNanos, completion)
    }
}

extension RedisClusterConnection: RedisCommandTarget {
    public var isConnected: Bool { isReady }
    public var isCluster: Bool { true }

    public func waitForConnection(timeoutNanos: UInt64, _ callback: @escaping (Bool) -> Void) {
        waitUntilReady(timeoutNanos: timeoutNanos, callback)
    }
}
