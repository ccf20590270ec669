// API: a whole node, assembled from its configuration: the embedded redis-server when no Redis URL
// is given, the loops, one Redis connection per loop, the routes, the listeners. `shutdown()` is the
// SIGTERM path: drain, wait for in-flight work up to the grace period, stop loops, stop the embedded
// Redis. Used by `gateway serve` and by tests that want a real node in-process.
import Foundation
import Glibc
import Reactor
import RedisStore
import Synchronization

/// A running gateway node.
public final class GatewayNode: Sendable {
    /// Settings in force.
    public let configuration: ServerConfiguration
    /// The HTTP side.
    public let server: GatewayServer
    /// The Redis side (one connection per loop).
    public let redis: RedisClient
    /// The private redis-server, when the node started one.
    public let embeddedRedis: EmbeddedRedis?
    /// Parked polls and room subscriptions.
    public let longPoll: LongPollService
    /// Rate limiting.
    public let throttle: ThrottleService
    private let connected: Mutex<[Bool]>

    /// Starts a node: Redis (embedded if no URL), loops, listeners.
    /// - Throws: `ConfigurationError` for a bad Redis URL or a missing redis-server, `IOError` when the
    ///   listen address cannot be bound.
    /// - Parameter clock: the loops' clock (tests inject a manual one to move deadlines without sleeping).
    public static func start(_ configuration: ServerConfiguration, clock: any LoopClock = MonotonicClock()) throws -> GatewayNode {
        var embedded: EmbeddedRedis?
        let url: String
        if let given = configuration.redisURL {
            url = given
        } else {
            do {
                let e = try EmbeddedRedis.start(stateDir: configuration.stateDir)
                embedded = e
                url = e.url
                Log.info("embedded redis-server started", [("url", e.url), ("pid", String(e.pid ?? 0)), ("state_dir", configuration.stateDir)])
            } catch {
                throw ConfigurationError(error.detail.isEmpty ? "\(error)" : error.detail)
            }
        }
        let address: RedisAddress
        do {
            address = try RedisAddress(parsing: url)
        } catch {
            embedded?.stop()
            throw ConfigurationError("--redis: \(error.detail.isEmpty ? "\(error)" : error.detail)")
        }
        let group = try EventLoopGroup(count: configuration.threads, clock: clock)
        do {
            return try GatewayNode(configuration: configuration, group: group, address: address, embedded: embedded)
        } catch {
            embedded?.stop()
            throw error
        }
    }

    private init(configuration: ServerConfiguration, group: EventLoopGroup, address: RedisAddress, embedded: EmbeddedRedis?) throws {
        self.configuration = configuration
        self.embeddedRedis = embedded
        var redisConfig = RedisConnectionConfiguration()
        redisConfig.defaultCommandTimeoutNanos = nanos(seconds: configuration.redisCommandTimeoutSeconds)
        self.redis = RedisClient(group: group, address: address, configuration: redisConfig)
        self.connected = Mutex(Array(repeating: false, count: group.loops.count))
        let state = ServerState()
        let stats = NodeStats(loops: group.loops)
        var verifierSettings = JWTVerifier.Settings()
        verifierSettings.cacheCapacity = configuration.jwtCacheEntries
        let auth = Authorization(verifier: JWTVerifier(keys: try JWTKeySet(configuration.jwtKeys), settings: verifierSettings))
        let longPoll = LongPollService(group: group, redis: redis, stats: stats)
        self.longPoll = longPoll
        let throttle = ThrottleService(group: group, redis: redis, failClosed: configuration.throttleFailClosed)
        self.throttle = throttle
        var router = Router()
        router.add(.get, "/healthz", HealthHandler(), label: "healthz")
        router.add(.get, "/readyz", ReadyHandler(state: state), label: "readyz")
        router.add(.get, "/metrics", MetricsHandler(state: state, stats: stats, longPoll: longPoll, throttle: throttle), label: "metrics")
        router.add(.get, "/v1/webinars/{webinar_id}/state",
                   StateHandler(auth: auth, longPoll: longPoll, redis: redis, throttle: throttle, maxWaitSeconds: configuration.maxWaitSeconds),
                   label: "state")
        router.add(.post, "/v1/hooks/{hook}", HookHandler(auth: auth, redis: redis, throttle: throttle, events: configuration.events), label: "hooks")
        router.add(.post, "/v1/webinars/{webinar_id}/sessions/{session_id}/events",
                   FactHandler(auth: auth, redis: redis, throttle: throttle, settings: configuration.events, stats: stats), label: "events")
        let admin = AdminThrottleHandler(auth: auth, redis: redis)
        router.add(.get, "/v1/admin/throttle", admin, label: "admin_throttle")
        router.add(.put, "/v1/admin/throttle", admin, label: "admin_throttle")
        self.server = GatewayServer(configuration: configuration, router: router, group: group, state: state, stats: stats)
        server.onDrain { longPoll.drain() }
        watchRedis(group)
        group.start()
        longPoll.start()
        throttle.start(longPoll: longPoll, state: state)
        startAttendance(hub: group.loops[0])
        do {
            try server.start()
        } catch {
            group.stopAndWait()
            throw error
        }
        Log.info("listening", [("address", "\(configuration.listen.host):\(server.port)"), ("threads", String(configuration.threads)), ("redis", address.description)])
    }

    /// Runs the attendance batch runner on the hub loop until the node drains.
    private func startAttendance(hub: EventLoop) {
        let settings = configuration.attendance, events = configuration.events
        let task = UncheckedTask { [self] in
            let runner = AttendanceRunner(loop: hub, connection: redis.connection(on: hub), settings: settings, events: events)
            runner.start()
            let box = LoopBound(runner)
            server.onDrain { hub.execute { box.value.stop() } }
        }
        hub.execute { task.run() }
    }

    /// Keeps `ServerState.redisReady` true exactly while every loop's Redis connection is up.
    private func watchRedis(_ group: EventLoopGroup) {
        for loop in group.loops {
            loop.execute { [self] in
                let conn = redis.connection(on: loop)
                let index = loop.index
                let loopStats = server.stats.on(index)
                conn.onCommandComplete = { nanos, failed in loopStats.redisCommand(nanos: nanos, failed: failed) }
                conn.onStateChange = { [self] st in self.setConnected(index, st == .connected) }
                setConnected(index, conn.isConnected)
            }
        }
    }

    private func setConnected(_ index: Int, _ up: Bool) {
        let (all, changed) = connected.withLock { flags -> (Bool, Bool) in
            let was = flags.allSatisfy { $0 }
            flags[index] = up
            let now = flags.allSatisfy { $0 }
            return (now, was != now)
        }
        server.state.redisReady.store(all, ordering: .relaxed)
        if changed { Log.write(all ? .info : .warning, all ? "redis reachable" : "redis unreachable") }
    }

    /// The SIGTERM path: drain, wait up to the grace period, stop loops and the embedded Redis.
    /// - Returns: whether every connection finished within the grace period.
    @discardableResult
    public func shutdown() -> Bool {
        if configuration.drainDelaySeconds > 0 {
            server.markNotReady()
            Log.info("not ready; serving on during the drain delay", [("seconds", String(configuration.drainDelaySeconds))])
            usleep(UInt32(min(configuration.drainDelaySeconds, 3600) * 1_000_000))
        }
        server.drain()
        let clean = server.waitForConnections(seconds: configuration.graceSeconds)
        if !clean { Log.warning("grace period over; closing remaining connections", [("open", String(server.state.openConnections.load(ordering: .relaxed)))]) }
        closeRedis()
        server.stopNow()
        embeddedRedis?.stop()
        return clean
    }

    /// Closes every Redis connection on its own loop, waiting (bounded) until each loop has done it.
    private func closeRedis() {
        let done = DispatchSemaphore(value: 0)
        longPoll.closeSubscriber()
        let client = redis
        Task.detached {
            await client.close()
            done.signal()
        }
        if done.wait(timeout: .now() + 5) == .timedOut { Log.warning("redis connections did not close within 5 s") }
    }
}
