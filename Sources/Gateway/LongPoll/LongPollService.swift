// API: long-polling for the node. One `WaiterRegistry` per loop, one `RoomSubscriptions` on loop 0
// with the node's single pub/sub connection. Registries tell loop 0 when they gain or lose a room;
// loop 0 hands them snapshots. `drain()` answers every parked poll at once (SIGTERM).
import Dispatch
import Reactor
import RedisStore
import Synchronization

/// Long-poll plumbing shared by the state route, drain and metrics.
public final class LongPollService: Sendable {
    private let registries: [LoopBound<WaiterRegistry>]
    private let subscriptions: Mutex<LoopBound<RoomSubscriptions>?>
    private let subscriberBox = Mutex<LoopBound<RedisSubscriber>?>(nil)
    private let group: EventLoopGroup
    private let redis: RedisClient
    /// Seconds a room stays subscribed after its last poll left.
    public let lingerSeconds: Double
    /// How long a re-read after a (re)subscribe waits for its loop's Redis connection to come back.
    static let resyncConnectWaitNanos: UInt64 = 10_000_000_000

    /// Creates registries for every loop of `group`; call `start()` once the loops run.
    private let stats: NodeStats?

    public init(group: EventLoopGroup, redis: RedisClient, stats: NodeStats? = nil, lingerSeconds: Double = 5) {
        self.stats = stats
        self.group = group
        self.redis = redis
        self.lingerSeconds = lingerSeconds
        self.registries = group.loops.map { LoopBound(WaiterRegistry(loop: $0)) }
        self.subscriptions = Mutex(nil)
    }

    /// Starts the subscriber on loop 0 and connects each registry to it and to its loop's Redis connection.
    public func start() {
        let hub = group.loops[0]
        let registries = self.registries
        let redis = self.redis
        let linger = lingerSeconds
        let made = Mutex<LoopBound<RoomSubscriptions>?>(nil)
        let subscriptionsReady = DispatchSemaphore(value: 0)
        hub.execute {
            let subscriber = RedisSubscriber(address: redis.address, loop: hub, configuration: RedisConnectionConfiguration())
            let subs = RoomSubscriptions(subscriber: subscriber, connection: redis.connection(on: hub), lingerSeconds: linger) { i, task in
                let box = registries[i]
                box.value.loop.execute { task(box.value) }
            }
            subscriber.start()
            made.withLock { $0 = LoopBound(subs) }
            self.subscriberBox.withLock { $0 = LoopBound(subscriber) }
            subscriptionsReady.signal()
        }
        subscriptionsReady.wait()
        let subsBox = made.withLock { $0 }
        subscriptions.withLock { $0 = subsBox }
        for (i, box) in registries.enumerated() {
            let loop = box.value.loop
            let stats = self.stats
            loop.execute {
                let registry = box.value
                if let s = stats { registry.stats = s.on(i) }
                registry.onInterest = { id, on in
                    hub.execute { subsBox?.value.setInterest(id, loopIndex: i, on) }
                }
                let connection = redis.connection(on: loop)
                registry.reader = { view, done in
                    // A re-subscribe can beat this loop's command connection back after an outage:
                    // wait for it (bounded) instead of failing the re-read and leaving polls stale.
                    connection.waitForConnection(timeoutNanos: LongPollService.resyncConnectWaitNanos) { up in
                        guard up else { return done(nil) }
                        StateReader.read(connection, webinarID: view.webinarID, sessionID: view.session?.sessionID, fallbackType: view.fallbackType) {
                            if case .success(let (v, _)) = $0 { done(v) } else { done(nil) }
                        }
                    }
                }
            }
        }
    }

    /// The loop that owns the node's subscriber connection.
    public var hub: EventLoop { group.loops[0] }

    /// Runs `body` on the hub loop with the node's single subscriber connection (after `start()`).
    func withSubscriber(_ body: @escaping (RedisSubscriber) -> Void) {
        guard let box = subscriberBox.withLock({ $0 }) else { return }
        let task = UncheckedTask { body(box.value) }
        hub.execute { task.run() }
    }

    /// Closes the node's subscriber connection (shutdown).
    func closeSubscriber() {
        withSubscriber { $0.close() }
    }

    /// The registry of `loop` (call on that loop).
    func registry(on loop: EventLoop) -> WaiterRegistry {
        registries[loop.index].value
    }

    /// Parked polls on this node.
    public var parkedCount: Int {
        registries.reduce(0) { $0 + $1.value.parked.load(ordering: .relaxed) }
    }

    /// Answers every parked poll now (node draining).
    public func drain() {
        for box in registries {
            box.value.loop.execute { box.value.drainAll() }
        }
    }
}
