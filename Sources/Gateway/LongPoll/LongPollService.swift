// API: long-polling for the node. One `WaiterRegistry` per loop, one `RoomSubscriptions` on the hub loop
// (loop 0) with the node's single pub/sub connection. Registries tell the hub when they gain or lose a
// room; the hub hands them snapshots. `drain()` answers every parked poll at once (SIGTERM).
// Building the service starts nothing; `start()` only queues work on the loops (it never waits for one),
// and the hub's queue runs in order, so the subscriptions exist before any registry can ask for one.
import HTTPServer
import Reactor
import RedisStore
import Synchronization

/// Long-poll plumbing shared by the state route, drain and metrics.
public final class LongPollService: Sendable {
    private let registries: [LoopBound<WaiterRegistry>]
    /// Each loop's parked-poll count (atomics: /metrics and tests read them from any thread).
    private let parked: [ParkedCounter]
    private let hubState: LoopBound<HubState>
    private let redis: RedisClient
    private let stats: NodeStats?
    /// Seconds a room stays subscribed after its last poll left.
    public let lingerSeconds: Double
    /// How long a re-read after a (re)subscribe waits for its loop's Redis connection to come back.
    static let resyncConnectWaitNanos: UInt64 = 10_000_000_000

    /// Creates registries for every loop of `group`; call `start()` to connect them.
    public init(group: EventLoopGroup, redis: RedisClient, stats: NodeStats? = nil, lingerSeconds: Double = 5) {
        self.stats = stats
        self.redis = redis
        self.lingerSeconds = lingerSeconds
        let parked = group.loops.map { _ in ParkedCounter() }
        self.parked = parked
        self.registries = group.loops.map { LoopBound(WaiterRegistry(loop: $0, parked: parked[$0.index]), loop: $0) }
        self.hubState = LoopBound(HubState(), loop: group.loops[0])
    }

    /// Starts the subscriber on the hub loop and connects each registry to it and to its loop's Redis
    /// connection. Returns at once (the work runs on the loops).
    public func start() {
        let hubState = self.hubState
        let hub = hubState.loop
        let redis = self.redis
        let linger = lingerSeconds
        let registries = self.registries
        hubState.execute { state in
            let subscriber = RedisSubscriber(address: redis.address, loop: hub, configuration: RedisConnectionConfiguration())
            state.subscriber = subscriber
            state.subscriptions = RoomSubscriptions(subscriber: subscriber, readRoom: RoomSubscriptions.roomReader(over: redis.connection(on: hub)),
                                                    lingerSeconds: linger) { i, task in
                registries[i].execute { task($0) }
            }
            subscriber.start()
        }
        for box in registries {
            let stats = self.stats
            box.execute { registry in
                let i = registry.loop.index
                if let s = stats { registry.stats = s.on(i) }
                registry.onInterest = { id, on in
                    hubState.execute { $0.subscriptions?.setInterest(id, loopIndex: i, on) }
                }
                let connection = redis.connection(on: registry.loop)
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
    public var hub: EventLoop { hubState.loop }

    /// Runs `body` on the hub loop with the node's single subscriber connection (after `start()`).
    func withSubscriber(_ body: @escaping (RedisSubscriber) -> Void) {
        hubState.execute { state in state.subscriber.map(body) }
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
        parked.reduce(0) { $0 + $1.value.load(ordering: .relaxed) }
    }

    /// Answers every parked poll now (node draining).
    public func drain() {
        for box in registries { box.execute { $0.drainAll() } }
    }
}

/// What the hub loop holds for the node's long-polls. Hub loop only.
final class HubState {
    var subscriber: RedisSubscriber?
    var subscriptions: RoomSubscriptions?
}

/// One loop's parked-poll count, written by its registry, read from anywhere.
final class ParkedCounter: Sendable {
    let value = Atomic<Int>(0)
}
