// API (RedisStore, Redis Cluster): a cluster-aware command router for ONE event loop, with the completion
// contract of `RedisConnection` (every completion runs exactly once, on the loop; an error reply is
// `.success(.error(text))`; `.notConnected` means not sent; `.disconnected`/`.timeout` mean it may have run).
//
// - Loop-owned like `RedisConnection`: created anywhere, then `start()` and every call on `loop` only
//   (preconditions). No locks: the slot map and the per-node connections belong to the loop.
// - It learns the slot map with CLUSTER SLOTS from any connected node (the seeds first), keeps one
//   `RedisConnection` per primary on this loop, and routes each command by the hash slot of the key it is
//   given (`send(_:key:)`; scripts by `keys[0]`, and DEBUG builds assert every key shares that slot).
//   Keyless commands (PING, TIME) go to any connected primary.
// - `MOVED slot host:port`: the slot is re-pointed at once, a refresh is requested, the command is resent
//   there. `ASK slot host:port`: ASKING then the command on that node, once (the map is not changed).
//   `TRYAGAIN`/`CLUSTERDOWN`: retried with capped exponential backoff while the deadline allows. Each
//   command follows at most `maxRedirects` redirects; its deadline covers redirects and retries.
// - A primary that is down fails its slots' commands at once with `.notConnected` (no unbounded queue) and
//   asks for a refresh; refreshes are rate-limited (`refreshMinIntervalNanos`) and repeat while a mapped
//   primary is down, so a failover's promoted replica is found without recreating anything.
// - Scripts: registered scripts are SCRIPT LOADed on every node connection (and its reconnects), and each
//   connection runs EVALSHA with its own NOSCRIPT fallback.
import Reactor

/// Routes commands to the primaries of a Redis Cluster, from one event loop. Use it on `loop` only.
public final class RedisClusterConnection {
    /// The loop that owns this router and its node connections.
    public let loop: EventLoop
    /// Seeds and credentials.
    public let address: RedisClusterAddress
    /// Redirect, retry, refresh and per-node connection settings.
    public let configuration: RedisClusterConfiguration
    /// Called on the loop when the router becomes ready (full slot map, every primary connected) or
    /// stops being ready.
    public var onStateChange: ((RedisConnectionState) -> Void)?
    /// Called on the loop after every command sent to a node (redirected attempts count apart), as
    /// `RedisConnection.onCommandComplete`. For metrics; nil costs nothing.
    public var onCommandComplete: ((_ nanos: UInt64, _ failed: Bool) -> Void)? {
        didSet { for link in links.values { link.connection.onCommandComplete = onCommandComplete } }
    }
    /// The slot map as last learned (and patched by MOVED redirects).
    public internal(set) var slotMap = RedisClusterSlotMap()
    /// True when every slot has a primary and every primary's connection is up.
    public internal(set) var isReady = false

    /// Counters for tests and metrics.
    public internal(set) var movedRedirects = 0
    /// ASK redirects followed.
    public internal(set) var askRedirects = 0
    /// TRYAGAIN/CLUSTERDOWN retries scheduled.
    public internal(set) var retriesScheduled = 0
    /// CLUSTER SLOTS requests sent.
    public internal(set) var slotMapRefreshes = 0

    struct NodeLink {
        let connection: RedisConnection
        let createdAt: UInt64
        var everConnected = false
    }

    var links: [RedisClusterNode: NodeLink] = [:]
    var scripts: [RedisScript] = []
    var closed = false
    var started = false
    var refreshInFlight = false
    var refreshWanted = false
    var lastRefreshStart: UInt64?
    var refreshTimer: LoopTimer?
    var readyWaiters: [PendingReply] = []
    /// Requests waiting on a retry timer (failed with `.notConnected` by `close()`).
    var parked: [ObjectIdentifier: ClusterRequest] = [:]

    /// Creates a router (not yet connecting). Call `start()` on `loop`.
    /// - Parameters:
    ///   - address: seed nodes and credentials (parsed and resolved at startup).
    ///   - loop: the loop this router and its connections live on.
    ///   - configuration: redirects, retries, refreshes, per-node connections.
    public init(address: RedisClusterAddress, loop: EventLoop, configuration: RedisClusterConfiguration = .init()) {
        self.address = address
        self.loop = loop
        self.configuration = configuration
    }

    /// Connects to the seeds and learns the slot map (and keeps it fresh). Loop thread only.
    public func start() {
        precondition(loop.inEventLoop, "RedisClusterConnection.start must run on its loop")
        guard !started, !closed else { return }
        started = true
        connectSeeds()
        requestRefresh()
    }

    /// Sends one command to the primary serving `key`'s slot (any primary when `key` is nil). Loop
    /// thread only.
    /// - Parameters:
    ///   - command: the pre-encoded command.
    ///   - key: the key that routes it (a multi-key command must keep all its keys in this slot).
    ///   - timeoutNanos: deadline for the whole call, redirects and retries included; nil uses
    ///     `configuration.connection.defaultCommandTimeoutNanos`.
    ///   - completion: called exactly once on the loop (see the contract at the top of this file).
    public func send(_ command: RedisCommand, key: String?, timeoutNanos: UInt64? = nil,
                     _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        precondition(loop.inEventLoop, "RedisClusterConnection.send must run on its loop")
        run(ClusterRequest(.command(command), slot: key.map { HashSlot.of($0) }, deadline: deadline(timeoutNanos), completion))
    }

    /// Runs `script` (EVALSHA, EVAL on NOSCRIPT) on the primary serving `keys[0]`'s slot (any primary
    /// when there are no keys). Loop thread only. Every key must share one slot (asserted in DEBUG).
    /// - Parameters:
    ///   - script: the script (registered on every node connection if it was not).
    ///   - keys: KEYS[1...], all in one hash slot.
    ///   - args: ARGV[1...].
    ///   - timeoutNanos: deadline for the whole call; nil uses the configured default.
    ///   - completion: called exactly once, on the loop; a script error is `.success(.error(text))`.
    public func evalScript(_ script: RedisScript, keys: [String] = [], args: [String] = [],
                           timeoutNanos: UInt64? = nil,
                           _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        precondition(loop.inEventLoop, "RedisClusterConnection.evalScript must run on its loop")
        let slot = keys.first.map { HashSlot.of($0) }
        assert(keys.allSatisfy { HashSlot.of($0) == slot }, "script \(script.name): keys span several hash slots")
        register(script)
        run(ClusterRequest(.script(script, keys: keys, args: args), slot: slot, deadline: deadline(timeoutNanos), completion))
    }

    /// Remembers `script` so every node connection SCRIPT LOADs it on (re)connect. Loop thread only.
    public func register(_ script: RedisScript) {
        precondition(loop.inEventLoop, "RedisClusterConnection.register must run on its loop")
        guard !scripts.contains(where: { $0.sha1 == script.sha1 }) else { return }
        scripts.append(script)
        for link in links.values { link.connection.register(script) }
    }

    /// Calls `callback(true)` once ready (at once if already), or `callback(false)` after `timeoutNanos`
    /// or on `close()`. Loop thread only.
    public func waitUntilReady(timeoutNanos: UInt64, _ callback: @escaping (Bool) -> Void) {
        precondition(loop.inEventLoop, "RedisClusterConnection.waitUntilReady must run on its loop")
        if isReady { return callback(true) }
        if closed { return callback(false) }
        let waiter = PendingReply { callback((try? $0.get()) != nil) }
        readyWaiters.append(waiter)
        waiter.timer = loop.schedule(after: timeoutNanos) { [weak self] in
            self?.readyWaiters.removeAll { $0 === waiter }
            waiter.resolve(.failure(.timeout))
        }
    }

    /// Closes every node connection for good; commands waiting to retry fail with `.notConnected`.
    /// Loop thread only.
    public func close() {
        precondition(loop.inEventLoop, "RedisClusterConnection.close must run on its loop")
        guard !closed else { return }
        closed = true
        refreshTimer?.cancel()
        refreshTimer = nil
        let wasReady = isReady
        isReady = false
        for link in links.values { link.connection.close() }
        links = [:]
        let requests = parked.values
        parked = [:]
        for request in requests { request.finish(.failure(.notConnected)) }
        let waiters = readyWaiters
        readyWaiters = []
        for waiter in waiters { waiter.resolve(.failure(.notConnected)) }
        if wasReady { onStateChange?(.disconnected) }
    }

    // MARK: routing

    private func deadline(_ timeoutNanos: UInt64?) -> UInt64? {
        (timeoutNanos ?? configuration.connection.defaultCommandTimeoutNanos).map { loop.clock.nowNanos() &+ $0 }
    }

    /// One attempt: pick the node, then send (after ASKING when an ASK redirect said so).
    func run(_ request: ClusterRequest) {
        guard !closed else { return request.finish(.failure(.notConnected)) }
        var remaining: UInt64?
        if let deadline = request.deadline {
            let now = loop.clock.nowNanos()
            guard deadline > now else { return request.finish(.failure(.timeout)) }
            remaining = deadline - now
        }
        guard let node = target(of: request), let link = links[node] else {
            requestRefresh()
            return request.finish(.failure(.notConnected))
        }
        let connection = link.connection
        guard connection.isConnected else {
            // A connection still making its first attempt (a new primary, a redirect target) is waited
            // for within the deadline; one that was up and dropped fails at once.
            let connectTimeout = configuration.connection.connectTimeoutNanos
            if !link.everConnected, loop.clock.nowNanos() &- link.createdAt < connectTimeout {
                connection.waitForConnection(timeoutNanos: min(remaining ?? connectTimeout, connectTimeout)) { [weak self] up in
                    guard let self, up else {
                        self?.requestRefresh()
                        return request.finish(.failure(.notConnected))
                    }
                    self.run(request)
                }
                return
            }
            requestRefresh()
            return request.finish(.failure(.notConnected))
        }
        let asking = request.askTarget != nil
        request.askTarget = nil
        let done: (Result<RedisReply, RedisError>) -> Void = { [weak self] result in
            guard let self else { return request.finish(result) }
            self.handle(result, of: request, from: node)
        }
        if asking {
            connection.send(RedisCommand(["ASKING"]), timeoutNanos: remaining) { _ in }
        }
        switch request.operation {
        case .command(let command):
            connection.send(command, timeoutNanos: remaining, done)
        case .script(let script, let keys, let args) where asking:
            // ASKING covers one command only, so no EVALSHA/NOSCRIPT pair here: the source goes at once.
            connection.send(RedisCommand.eval(script.source, keys: keys, args: args), timeoutNanos: remaining, done)
        case .script(let script, let keys, let args):
            connection.evalScript(script, keys: keys, args: args, timeoutNanos: remaining, done)
        }
    }

    private func target(of request: ClusterRequest) -> RedisClusterNode? {
        if let ask = request.askTarget {
            ensureLink(ask)
            return ask
        }
        if let slot = request.slot {
            guard let owner = slotMap.owner(of: slot) else { return nil }
            ensureLink(owner)
            return owner
        }
        return slotMap.nodes.first { links[$0]?.connection.isConnected == true }
            ?? links.first { $0.value.connection.isConnected }?.key
    }

    /// Follows redirects and retries; anything else is the command's answer.
    private func handle(_ result: Result<RedisReply, RedisError>, of request: ClusterRequest, from node: RedisClusterNode) {
        guard case .success(.error(let message)) = result else {
            if case .failure(let error) = result, error.isTransport { requestRefresh() }
            return request.finish(result)
        }
        if message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") {
            let parts = message.split(separator: " ")
            guard parts.count >= 3, let slot = Int(parts[1]), slot >= 0, slot < HashSlot.count,
                  let to = RedisClusterNode.parseRedirect(parts[2], fallbackHost: node.host),
                  request.redirects < configuration.maxRedirects, !closed
            else { return request.finish(result) }
            request.redirects += 1
            if parts[0] == "MOVED" {
                movedRedirects += 1
                slotMap.assign(slot, to: to)
                ensureLink(to)
                requestRefresh()
            } else {
                askRedirects += 1
                request.askTarget = to
            }
            return run(request)
        }
        if message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN") {
            if message.hasPrefix("CLUSTERDOWN") { requestRefresh() }
            return retryLater(request, else: result)
        }
        request.finish(result)
    }

    /// Schedules another attempt after backoff, or answers `fallback` when the deadline or the retry
    /// budget does not allow one.
    private func retryLater(_ request: ClusterRequest, else fallback: Result<RedisReply, RedisError>) {
        let delay = configuration.retryDelay(attempt: request.retries)
        if request.retries >= configuration.maxRetries || closed { return request.finish(fallback) }
        if let deadline = request.deadline, loop.clock.nowNanos() &+ delay >= deadline { return request.finish(fallback) }
        request.retries += 1
        retriesScheduled += 1
        let id = ObjectIdentifier(request)
        parked[id] = request
        request.timer = loop.schedule(after: delay) { [weak self] in
            guard let self, self.parked.removeValue(forKey: id) != nil else { return }
            request.timer = nil
            self.run(request)
        }
    }
}
