// The connect / reconnect lifecycle that `RedisConnection` and `RedisSubscriber` share: at most one
// hiredis context at a time on one loop, written once per loop pass (pass-end flush), and attempts
// spaced by capped exponential backoff until `close()`. The owner sends its handshake on each new
// context (`onAttempt`), calls `didConnect()` once the handshake answered, and forgets its per-context
// state in `onContextClosed`. Loop thread only.
import Reactor

/// One reconnecting hiredis connection slot (loop thread only).
final class RedisLink {
    let loop: EventLoop
    let address: RedisAddress
    /// The live (or connecting) context; nil between attempts and after `close()`.
    private(set) var context: HiredisContext?
    /// True after `close()`: no more attempts.
    private(set) var closed = false
    /// A new context is attached and connecting: send the handshake on it.
    var onAttempt: ((HiredisContext) -> Void)?
    /// The current context is gone (every command on it has been resolved); a reconnect follows unless closed.
    var onContextClosed: ((HiredisContext) -> Void)?

    private var backoff: ReconnectBackoff
    private var reconnectTimer: LoopTimer?
    private var started = false

    init(address: RedisAddress, loop: EventLoop, configuration: RedisConnectionConfiguration) {
        self.address = address
        self.loop = loop
        self.backoff = ReconnectBackoff(configuration)
    }

    /// Starts the first attempt. Returns false (and does nothing) when already started or closed.
    func start() -> Bool {
        guard !started, !closed else { return false }
        started = true
        loop.addPassEndHook { [weak self] in self?.context?.flush() }
        connectNow()
        return true
    }

    /// Stops for good: no more attempts; the current context is torn down (its `onContextClosed` follows).
    func close() {
        guard !closed else { return }
        closed = true
        reconnectTimer?.cancel()
        reconnectTimer = nil
        context?.close()
    }

    /// The handshake on `ctx` answered: the next failure starts again from the initial backoff.
    /// - Returns: false when `ctx` is no longer the current, open context (ignore its answer).
    func didConnect(_ ctx: HiredisContext) -> Bool {
        guard context === ctx, ctx.isOpen, !closed else { return false }
        backoff.reset()
        return true
    }

    /// AUTH for the address's credentials, if any.
    var authCommand: RedisCommand? {
        guard let password = address.password else { return nil }
        return RedisCommand(address.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
    }

    private func connectNow() {
        reconnectTimer = nil
        guard !closed, context == nil else { return }
        let ctx = HiredisContext(loop: loop)
        do {
            try ctx.connect(to: address.endpoint)
        } catch {
            return scheduleReconnect()
        }
        context = ctx
        ctx.onClose = { [weak self, weak ctx] _ in
            guard let self, let ctx else { return }
            self.contextClosed(ctx)
        }
        onAttempt?(ctx)
    }

    private func contextClosed(_ ctx: HiredisContext) {
        guard context === ctx else { return }
        context = nil
        onContextClosed?(ctx)
        if !closed { scheduleReconnect() }
    }

    private func scheduleReconnect() {
        guard !closed, reconnectTimer == nil else { return }
        reconnectTimer = loop.schedule(after: backoff.nextDelay()) { [weak self] in self?.connectNow() }
    }
}
