// API: the ONE pub/sub connection of a node, on one loop (pub/sub needs its own connection: an error
// reply on a subscribed connection disconnects it, and PING there never calls back).
// - Bookkeeping is reference-free: one handler per channel. The gateway subscribes when the first
//   interested party arrives and unsubscribes after the last; subscribing again replaces the handler.
// - After every (re)connect it re-subscribes every channel in ONE `SUBSCRIBE ch... ready` command; the
//   confirmation of the private `readyChannel` (always last, always kept) means every channel is live,
//   so `onResubscribed` runs then and the gateway re-reads state: no wake is missed across a reconnect.
// - `readyChannel` is kept for the connection's life, so the connection never leaves subscribed mode
//   (server-side count never 0) whatever the gateway subscribes and unsubscribes; PING cannot serve as
//   the readiness probe here (in subscribed mode its reply never reaches a callback).
// - Connects and reconnects through `RedisLink`, like `RedisConnection`.
import Reactor

/// The pub/sub connection. Not thread-safe: use it on `loop` only.
public final class RedisSubscriber {
    /// The loop that owns this subscriber.
    public let loop: EventLoop
    /// Where it connects.
    public let address: RedisAddress
    /// Deadlines and backoff (`connectTimeoutNanos` bounds connect + re-subscribe).
    public let configuration: RedisConnectionConfiguration
    /// A private channel subscribed first and kept for the connection's life (see the file header).
    public let readyChannel: String
    /// Called on the loop when the connection becomes usable or stops being usable.
    public var onStateChange: ((RedisConnectionState) -> Void)?
    /// Called on the loop after every (re)connect, once every channel is subscribed again.
    public var onResubscribed: (() -> Void)?
    /// True once the re-subscribe of a (re)connect is confirmed.
    public private(set) var isConnected = false

    private var handlers: [String: ([UInt8]) -> Void] = [:]
    /// Per channel: one entry per SUBSCRIBE in flight, holding the `confirmed` callbacks waiting on it.
    private var inFlight: [String: [[() -> Void]]] = [:]
    private let link: RedisLink
    private var context: HiredisContext? { link.context }
    private var connectTimer: LoopTimer?
    private var closed: Bool { link.closed }

    /// Creates a subscriber (not yet connecting). Call `start()` on `loop`.
    /// - Parameters:
    ///   - address: a parsed, numeric address (its database is irrelevant to pub/sub).
    ///   - loop: the loop this subscriber will live on.
    ///   - configuration: deadlines and backoff.
    ///   - readyChannel: the private marker channel; must not be used for anything else.
    public init(address: RedisAddress, loop: EventLoop, configuration: RedisConnectionConfiguration = .init(),
                readyChannel: String = "__redisstore:subscriber-ready") {
        self.address = address
        self.loop = loop
        self.configuration = configuration
        self.readyChannel = readyChannel
        self.link = RedisLink(address: address, loop: loop, configuration: configuration)
        link.onAttempt = { [weak self] ctx in self?.resubscribe(on: ctx) }
        link.onContextClosed = { [weak self] ctx in self?.contextClosed(ctx) }
    }

    /// The channels currently wanted (subscribed, or to be subscribed on reconnect).
    public var channels: Set<String> { Set(handlers.keys) }

    /// Starts connecting (and reconnecting whenever the connection drops). Loop thread only.
    public func start() {
        precondition(loop.inEventLoop, "RedisSubscriber.start must run on its loop")
        _ = link.start()
    }

    /// Closes for good; no reconnect. Loop thread only.
    public func close() {
        precondition(loop.inEventLoop, "RedisSubscriber.close must run on its loop")
        guard !closed else { return }
        connectTimer?.cancel()
        let wasConnected = isConnected
        isConnected = false
        link.close()
        if wasConnected { onStateChange?(.disconnected) }
    }

    /// Subscribes to `channel`, replacing any handler it had. Loop thread only.
    /// - Parameters:
    ///   - channel: the channel name (`readyChannel` is reserved and ignored).
    ///   - confirmed: called once the server has confirmed the subscription (at once if it already
    ///     had); after a disconnect `onResubscribed` covers it instead.
    ///   - handler: called on the loop with each message's payload.
    public func subscribe(_ channel: String, confirmed: (() -> Void)? = nil, handler: @escaping ([UInt8]) -> Void) {
        precondition(loop.inEventLoop, "RedisSubscriber.subscribe must run on its loop")
        guard channel != readyChannel else { return }  // reserved; never handed to callers
        let known = handlers[channel] != nil
        handlers[channel] = handler
        if known {
            guard let confirmed else { return }
            if var queue = inFlight[channel], !queue.isEmpty {
                queue[queue.count - 1].append(confirmed)
                inFlight[channel] = queue
            } else if context == nil {
                inFlight[channel] = [[confirmed]]  // carried into the next re-subscribe
            } else {
                confirmed()  // already confirmed on the live connection
            }
            return
        }
        if let ctx = context, ctx.isOpen { _ = ctx.sendPubSub(RedisCommand(["SUBSCRIBE", channel])) }
        // Without a live context the slot is carried into the next re-subscribe instead.
        inFlight[channel, default: []].append(confirmed.map { [$0] } ?? [])
    }

    /// Unsubscribes from `channel`; its handler is dropped at once. Loop thread only.
    public func unsubscribe(_ channel: String) {
        precondition(loop.inEventLoop, "RedisSubscriber.unsubscribe must run on its loop")
        guard channel != readyChannel, handlers.removeValue(forKey: channel) != nil else { return }
        if var queue = inFlight[channel] {
            for i in queue.indices { queue[i] = [] }  // keep the slots: confirmations still arrive in order
            inFlight[channel] = queue
        }
        if let ctx = context, ctx.isOpen { _ = ctx.sendPubSub(RedisCommand(["UNSUBSCRIBE", channel])) }
    }

    // MARK: pushes

    private func received(_ push: RedisReply, from ctx: HiredisContext) {
        guard context === ctx, case .array(let items) = push, items.count >= 3,
              let kind = items[0].string, let channel = items[1].string else { return }
        switch kind {
        case "message":
            if let handler = handlers[channel], case .bulk(let payload) = items[2] { handler(payload) }
        case "subscribe":
            if channel == readyChannel {
                didResubscribe(ctx)
            } else if var queue = inFlight[channel], !queue.isEmpty {
                let waiting = queue.removeFirst()
                inFlight[channel] = queue.isEmpty ? nil : queue
                for w in waiting { w() }
            }
        default:
            break
        }
    }

    // MARK: re-subscribe (RedisLink connects and reconnects)

    private func resubscribe(on ctx: HiredisContext) {
        ctx.onPush = { [weak self, weak ctx] push in
            guard let self, let ctx else { return }
            self.received(push, from: ctx)
        }
        if let auth = link.authCommand {
            let pending = PendingReply { [weak ctx] result in
                if case .success(.status) = result { return }
                ctx?.close()
            }
            _ = ctx.send(auth, pending)
        }
        // Every wanted channel, then the ready marker: its confirmation means all are live.
        let wanted = Array(handlers.keys)
        var carried: [String: [[() -> Void]]] = [:]
        for channel in wanted {
            carried[channel] = [inFlight[channel]?.flatMap { $0 } ?? []]
        }
        inFlight = carried
        _ = ctx.sendPubSub(RedisCommand(["SUBSCRIBE"] + wanted + [readyChannel]))
        connectTimer = loop.schedule(after: configuration.connectTimeoutNanos) { [weak self, weak ctx] in
            guard let self, let ctx, self.context === ctx, !self.isConnected else { return }
            ctx.close()
        }
    }

    private func didResubscribe(_ ctx: HiredisContext) {
        guard !isConnected, link.didConnect(ctx) else { return }
        connectTimer?.cancel()
        connectTimer = nil
        isConnected = true
        onStateChange?(.connected)
        onResubscribed?()
    }

    private func contextClosed(_ ctx: HiredisContext) {
        connectTimer?.cancel()
        connectTimer = nil
        let wasConnected = isConnected
        isConnected = false
        if wasConnected { onStateChange?(.disconnected) }
    }
}
