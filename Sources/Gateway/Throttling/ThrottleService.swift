// API: throttling for the node. One `RateLimiter` per loop (no shared lock on the hot path); the hub
// loop watches the limits in Redis — a pub/sub notice on `wg:throttle:changed` plus a re-read every
// `refreshSeconds` as a safety net — and hands changes to every loop, so a `gateway throttle set` on
// any node is in force on every node within a second. Outages are logged once per episode.
import Reactor
import RedisStore
import Synchronization
import Throttle

/// The node's throttle.
public final class ThrottleService: Sendable {
    private let limiters: [LoopBound<RateLimiter>]
    /// Each loop's counters (atomics: the scrape reads them from any loop).
    private let counters: [ThrottleCounters]
    private let group: EventLoopGroup
    private let redis: RedisClient
    /// Seconds between safety re-reads of the limits.
    public let refreshSeconds: Double
    private let current = Mutex(ThrottleLimits.defaults)

    public init(group: EventLoopGroup, redis: RedisClient, failClosed: Bool, refreshSeconds: Double = 1) {
        self.group = group
        self.redis = redis
        self.refreshSeconds = refreshSeconds
        self.limiters = group.loops.map { loop in
            let limiter = RateLimiter(failClosed: failClosed, nowMicros: { WallClock.nowMillis() * 1000 })
            limiter.onOutageChange = { down in
                Log.write(down ? .warning : .info, down ? "throttle: redis unreachable, using local buckets" : "throttle: redis reachable again",
                          [("loop", String(loop.index)), ("fail_closed", String(failClosed))])
            }
            return LoopBound(limiter, loop: loop)
        }
        self.counters = limiters.map { $0.value.counters }
    }

    /// The limiter of `loop` (call on that loop).
    public func limiter(on loop: EventLoop) -> RateLimiter { limiters[loop.index].value }

    /// The limits this node last loaded.
    public var limits: ThrottleLimits { current.withLock { $0 } }

    /// Starts watching the limits (pub/sub via the long-poll hub's subscriber, and a periodic re-read).
    public func start(longPoll: LongPollService, health: NodeHealth? = nil) {
        health?.limitsLoaded.store(false, ordering: .relaxed)
        let hub = longPoll.hub
        let task = LoopTask { [self] in
            let connection = redis.connection(on: hub)
            var loaded = false
            func reload() {
                connection.send(RedisCommand(["HGETALL", ThrottleKeys.limits])) { [self] result in
                    guard case .success(let reply) = result, !reply.isError else {
                        // Not loaded yet: try again as soon as the connection is up (not on the next
                        // tick), so a starting node becomes ready without waiting on its clock.
                        // Only for transport failures: an error reply waits for the next tick instead of spinning.
                        if !loaded, case .failure = result {
                            connection.waitForConnection(timeoutNanos: nanos(seconds: 60)) { up in if up { reload() } }
                        }
                        return
                    }
                    apply(LimitsCodec.decode(reply))
                    loaded = true
                    health?.limitsLoaded.store(true, ordering: .relaxed)
                }
            }
            func tick() {
                reload()
                hub.schedule(after: nanos(seconds: refreshSeconds)) { tick() }
            }
            tick()
            longPoll.withSubscriber { sub in
                sub.subscribe(ThrottleKeys.limitsChannel) { _ in reload() }
            }
        }
        hub.execute { task.run() }
    }

    private func apply(_ limits: ThrottleLimits) {
        let changed = current.withLock { old -> Bool in
            defer { old = limits }
            return old != limits
        }
        guard changed else { return }
        Log.info("throttle limits in force", [("limits", LimitsCodec.json(limits))])
        for box in limiters {
            box.execute { $0.limits = limits }
        }
    }

    /// Sum of a counter over the loops.
    public func count(_ rc: RouteClass, _ kind: ThrottleCounters.Kind) -> Int {
        counters.reduce(0) { $0 + $1.value(rc, kind) }
    }
}
