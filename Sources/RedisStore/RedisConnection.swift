// API (RedisStore): an asynchronous Redis client on the Reactor loops. It knows nothing of HTTP.
//
// - `RedisConnection`: one per event loop, created anywhere, then used ONLY on its loop (`start()` and
//   every call; checked by preconditions). Commands from everything on the loop share it and are
//   pipelined: hiredis writes them once per loop pass (HiredisContext's pass-end flush).
// - Every completion runs exactly once, on the loop: with the reply (a Redis error reply is
//   `.success(.error(text))`: the caller decides), `.timeout` (our deadline timer; replies are ordered,
//   so the stuck connection is then torn down and reconnected), `.disconnected` (the connection dropped
//   with the command in flight) or `.notConnected` (not sent: while down, commands fail at once; there is
//   no unbounded queue). A completion may run before `send` returns.
// - Down connections reconnect on loop timers with capped exponential backoff (`RedisLink`, shared with
//   the subscriber); each (re)connect sends
//   AUTH (if a password), SELECT (if db != 0), SCRIPT LOAD of every registered script and PING, and is
//   "connected" only when PING answers. `onStateChange` reports connected/disconnected.
// - `RedisSubscriber` is the separate pub/sub connection; `RedisClient` the Sendable async facade for
//   code off the loops; `EmbeddedRedis` a private `redis-server` for the embedded default and tests.
// - hiredis (0.14.1) is touched only in HiredisContext.swift; no C pointer leaves it. Because hiredis
//   writes with write(2), the first connect sets SIGPIPE to ignored for the whole process.
import Reactor

/// The command connection of one event loop. Not thread-safe: use it on `loop` only.
public final class RedisConnection {
    /// The loop that owns this connection.
    public let loop: EventLoop
    /// Where it connects.
    public let address: RedisAddress
    /// Deadlines and backoff.
    public let configuration: RedisConnectionConfiguration
    /// Called on the loop when the connection becomes usable or stops being usable.
    public var onStateChange: ((RedisConnectionState) -> Void)?
    /// Called on the loop after every command with its round-trip time in nanoseconds and whether it
    /// failed in transport (not connected, timeout, disconnect). For metrics; nil costs nothing.
    public var onCommandComplete: ((_ nanos: UInt64, _ failed: Bool) -> Void)?
    /// True once connected and the handshake answered; false while down, connecting or backing off.
    public private(set) var isConnected = false

    /// Scripts loaded on every (re)connect, by SHA-1, in registration order.
    var scripts: [String: RedisScript] = [:]
    var scriptOrder: [String] = []
    /// `redisAsyncHandleWrite` calls on the current connection (each is one pipelined write).
    var writeCalls: Int { link.context?.writeCalls ?? 0 }
    /// How many EVALSHA calls fell back to EVAL (NOSCRIPT); for tests and metrics.
    var scriptFallbackCount = 0

    private let link: RedisLink
    private var waiters: [PendingReply] = []
    private var deadlines = DeadlineQueue()
    private var deadlineTimer: LoopTimer?
    private var closed: Bool { link.closed }

    /// Creates a connection (not yet connecting). Call `start()` on `loop`.
    /// - Parameters:
    ///   - address: a parsed, numeric address.
    ///   - loop: the loop this connection will live on.
    ///   - configuration: deadlines and backoff.
    public init(address: RedisAddress, loop: EventLoop, configuration: RedisConnectionConfiguration = .init()) {
        self.address = address
        self.loop = loop
        self.configuration = configuration
        self.link = RedisLink(address: address, loop: loop, configuration: configuration)
        link.onAttempt = { [weak self] ctx in self?.handshake(ctx) }
        link.onContextClosed = { [weak self] ctx in self?.contextClosed(ctx) }
    }

    /// The current state.
    public var state: RedisConnectionState { isConnected ? .connected : .disconnected }

    /// Starts connecting (and reconnecting whenever the connection drops). Loop thread only.
    public func start() {
        precondition(loop.inEventLoop, "RedisConnection.start must run on its loop")
        _ = link.start()
    }

    /// Closes for good: pending commands fail with `.disconnected`, no reconnect. Loop thread only.
    public func close() {
        precondition(loop.inEventLoop, "RedisConnection.close must run on its loop")
        guard !closed else { return }
        let wasConnected = isConnected
        isConnected = false
        link.close()
        let w = waiters
        waiters = []
        for waiter in w { waiter.resolve(.failure(.notConnected)) }
        if wasConnected { onStateChange?(.disconnected) }
    }

    /// Sends one command. Loop thread only.
    /// - Parameters:
    ///   - command: the pre-encoded command.
    ///   - timeoutNanos: deadline from now; nil uses `configuration.defaultCommandTimeoutNanos`.
    ///   - completion: called exactly once on the loop (see the contract at the top of this file).
    public func send(_ command: RedisCommand, timeoutNanos: UInt64? = nil,
                     _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        precondition(loop.inEventLoop, "RedisConnection.send must run on its loop")
        send(command, deadline: deadline(timeoutNanos), completion)
    }

    /// Calls `callback(true)` once connected (at once if already), or `callback(false)` after
    /// `timeoutNanos` or on `close()`. Loop thread only.
    public func waitForConnection(timeoutNanos: UInt64, _ callback: @escaping (Bool) -> Void) {
        precondition(loop.inEventLoop, "RedisConnection.waitForConnection must run on its loop")
        if isConnected { return callback(true) }
        if closed { return callback(false) }
        let waiter = PendingReply { callback((try? $0.get()) != nil) }
        waiters.append(waiter)
        waiter.timer = loop.schedule(after: timeoutNanos) { [weak self] in
            self?.waiters.removeAll { $0 === waiter }
            waiter.resolve(.failure(.timeout))
        }
    }

    // MARK: internals shared with the script extension

    /// An absolute deadline for a relative timeout (nil: the configured default).
    func deadline(_ timeoutNanos: UInt64?) -> UInt64? {
        (timeoutNanos ?? configuration.defaultCommandTimeoutNanos).map { loop.clock.nowNanos() &+ $0 }
    }

    /// Sends with an absolute deadline, refusing commands that would break a shared connection.
    func send(_ command: RedisCommand, deadline: UInt64?, _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        var completion = completion
        if let observe = onCommandComplete {
            let clock = loop.clock
            let start = clock.nowNanos()
            let inner = completion
            completion = { result in
                if case .failure = result { observe(clock.nowNanos() &- start, true) } else { observe(clock.nowNanos() &- start, false) }
                inner(result)
            }
        }
        guard isConnected, !closed, let ctx = link.context else { return completion(.failure(.notConnected)) }
        guard command.argumentCount > 0 else { return completion(.failure(.protocolError("empty command"))) }
        if let name = command.connectionStateCommandName {
            return completion(.failure(.protocolError(
                "\(name.uppercased()) is not allowed on a shared command connection (use RedisSubscriber for pub/sub)")))
        }
        dispatch(command, on: ctx, deadline: deadline, completion)
    }

    private func dispatch(_ command: RedisCommand, on ctx: HiredisContext, deadline: UInt64?,
                          _ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        let pending = PendingReply(completion)
        guard ctx.send(command, pending) else { return completion(.failure(.notConnected)) }
        guard let deadline else { return }
        deadlines.pruneResolved()
        deadlines.push(deadline, pending)
        if let timer = deadlineTimer, timer.isPending {
            if timer.deadline <= deadline { return }
            timer.cancel()
        }
        armDeadlineTimer(at: deadline)
    }

    private func armDeadlineTimer(at deadline: UInt64) {
        deadlineTimer = loop.schedule(at: deadline) { [weak self] in self?.deadlinePassed() }
    }

    /// The earliest deadline came: if that command is still unanswered it times out and, replies being
    /// ordered, everything behind it is stuck too, so the connection is torn down and reconnected.
    private func deadlinePassed() {
        deadlineTimer = nil
        deadlines.pruneResolved()
        guard let (deadline, pending) = deadlines.first else { return }
        if deadline > loop.clock.nowNanos() { return armDeadlineTimer(at: deadline) }
        deadlines.removeFirst()
        pending.resolve(.failure(.timeout))
        link.context?.close()
    }

    // MARK: handshake (RedisLink connects and reconnects)

    private func handshake(_ ctx: HiredisContext) {
        let deadline = loop.clock.nowNanos() &+ configuration.connectTimeoutNanos
        let mustSucceed: (Result<RedisReply, RedisError>) -> Void = { [weak ctx] result in
            switch result {
            case .success(.error), .failure: ctx?.close()
            case .success: break
            }
        }
        if let auth = link.authCommand {
            dispatch(auth, on: ctx, deadline: deadline, mustSucceed)
        }
        if address.database != 0 {
            dispatch(RedisCommand(["SELECT", String(address.database)]), on: ctx, deadline: deadline, mustSucceed)
        }
        for sha in scriptOrder {
            guard let script = scripts[sha] else { continue }
            // A script that fails to compile must not keep the connection down: EVAL will report it.
            dispatch(RedisCommand(["SCRIPT", "LOAD", script.source]), on: ctx, deadline: deadline) { _ in }
        }
        dispatch(RedisCommand(["PING"]), on: ctx, deadline: deadline) { [weak self, weak ctx] result in
            guard let self, let ctx else { return }
            if case .success(.status) = result {
                self.didConnect(ctx)
            } else {
                ctx.close()
            }
        }
    }

    private func didConnect(_ ctx: HiredisContext) {
        guard !isConnected, link.didConnect(ctx) else { return }
        isConnected = true
        let w = waiters
        waiters = []
        for waiter in w { waiter.resolve(.success(.status("OK"))) }
        onStateChange?(.connected)
    }

    private func contextClosed(_ ctx: HiredisContext) {
        deadlines.removeAll()  // every command of `ctx` has been resolved by now
        deadlineTimer?.cancel()
        deadlineTimer = nil
        let wasConnected = isConnected
        isConnected = false
        if wasConnected { onStateChange?(.disconnected) }
    }
}
