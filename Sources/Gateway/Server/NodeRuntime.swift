// API: the parts of a started node, in start order: the embedded redis-server (when no Redis URL is
// given), the loops, one Redis connection per loop (watched for readiness), long-poll (the hub's
// subscriber), the throttle's limits watcher, the attendance runner, the listeners. `stop()` undoes them
// in reverse order, event-driven: the drain delay and the grace period are timers on the loops' clock,
// the last connection's close resumes the wait, Redis connections and loops report when they are done.
import HTTPClient
import HTTPServer
import Reactor
import RedisStore
import Synchronization

/// A started node's parts.
final class NodeRuntime: Sendable {
    let embeddedRedis: EmbeddedRedis?
    let group: EventLoopGroup
    let redis: RedisClient
    let server: HTTPServer
    let health: NodeHealth
    let stats: NodeStats
    let longPoll: LongPollService
    let throttle: ThrottleService
    private let connected: Mutex<[Bool]>
    /// Set when the shutdown closes Redis itself: losing the connections then is expected, not a fault.
    private let closingRedis = Atomic<Bool>(false)
    /// The attendance runner, on the hub loop (kept here: the runner's own timers hold it weakly).
    private let attendance: LoopBound<AttendanceSlot>
    /// Webhook delivery, on the hub loop.
    private let webhooks: LoopBound<WebhookSlot>

    /// Starts every part.
    /// - Throws: `ConfigurationError` for a bad Redis URL or a missing redis-server, `IOError` when the
    ///   listen address cannot be bound.
    static func start(_ configuration: ServerConfiguration, clock: any LoopClock) throws -> NodeRuntime {
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
        do {
            let address: RedisAddress
            do { address = try RedisAddress(parsing: url) } catch { throw ConfigurationError("--redis: \(error.detail.isEmpty ? "\(error)" : error.detail)") }
            let runtime = try NodeRuntime(configuration, group: try EventLoopGroup(count: configuration.threads, clock: clock),
                                          address: address, embedded: embedded)
            try runtime.startParts(configuration)
            Log.info("listening", [("address", "\(configuration.listen.host):\(runtime.server.port)"), ("threads", String(configuration.threads)),
                                   ("redis", address.description)])
            return runtime
        } catch {
            embedded?.stop()
            throw error
        }
    }

    private init(_ configuration: ServerConfiguration, group: EventLoopGroup, address: RedisAddress, embedded: EmbeddedRedis?) throws {
        self.embeddedRedis = embedded
        self.group = group
        var redisConfig = RedisConnectionConfiguration()
        redisConfig.defaultCommandTimeoutNanos = nanos(seconds: configuration.redisCommandTimeoutSeconds)
        redis = RedisClient(group: group, address: address, configuration: redisConfig)
        connected = Mutex(Array(repeating: false, count: group.loops.count))
        let serverState = ServerState()
        health = NodeHealth(server: serverState)
        stats = NodeStats(loops: group.loops)
        longPoll = LongPollService(group: group, redis: redis, stats: stats)
        throttle = ThrottleService(group: group, redis: redis, failClosed: configuration.throttleFailClosed)
        attendance = LoopBound(AttendanceSlot(), loop: longPoll.hub)
        webhooks = LoopBound(WebhookSlot(), loop: longPoll.hub)
        let router = try NodeRoutes.router(configuration, NodeRoutes.Parts(health: health, stats: stats, longPoll: longPoll,
                                                                              throttle: throttle, redis: redis))
        let cors = CORSPolicy(origins: configuration.corsOrigins)
        let stats = self.stats
        server = HTTPServer(configuration: configuration.httpServer, group: group, state: serverState, application: { loop in
            GatewayApplication(router: router, cors: cors, stats: stats.on(loop.index), clock: loop.clock,
                               accessLog: configuration.accessLog, trustedProxies: configuration.trustedProxies)
        }, warn: { Log.warning($0) })
    }

    private func startParts(_ configuration: ServerConfiguration) throws {
        watchRedis()
        group.start()
        longPoll.start()
        throttle.start(longPoll: longPoll, health: health)
        startAttendance(configuration)
        startWebhooks(configuration)
        do {
            try server.start()
        } catch {
            group.stopAndWait()
            throw error
        }
    }

    /// Runs the attendance batch runner on the hub loop until the node drains.
    private func startAttendance(_ configuration: ServerConfiguration) {
        let redis = self.redis, hub = attendance.loop
        let settings = configuration.attendance, events = configuration.events
        attendance.execute { slot in
            slot.runner = AttendanceRunner(loop: hub, connection: redis.connection(on: hub), settings: settings, events: events)
            slot.runner?.start()
        }
    }

    /// Runs webhook delivery on the hub loop: its own stream-reading connection, an HTTP client, and a
    /// re-read of the subscriptions on every change notice.
    private func startWebhooks(_ configuration: ServerConfiguration) {
        let redis = self.redis, hub = webhooks.loop, longPoll = self.longPoll, slot = webhooks, stats = self.stats
        let node = "node-" + (Crypto.randomBytes(count: 6) ?? []).map { String($0, radix: 16) }.joined()
        let config = configuration.webhook, streamMaxLength = configuration.events.streamMaxLength
        let health = self.health
        guard config.deliver else {
            health.webhooksReady.store(true, ordering: .relaxed)
            return Log.info("webhooks: delivery off on this node (--webhook-delivery off)")
        }
        health.webhooksReady.store(false, ordering: .relaxed)
        webhooks.execute { holder in
            let client: HTTPClient
            do {
                client = try HTTPClientWebhookTransport.makeClient(on: hub, config)
            } catch {
                health.webhooksReady.store(true, ordering: .relaxed)  // nothing to wait for: this node delivers nothing
                return Log.error("webhooks: cannot make the HTTP client; no deliveries from this node", [("error", "\(error)")])
            }
            var settings = WebhookRunnerSettings(nodeID: node)
            settings.leaseMillis = config.claimAfterMillis
            settings.maxInFlightPerSubscription = config.concurrencyPerSubscription
            settings.eventStreamMaxLength = streamMaxLength
            let runner = WebhookRunner(loop: hub, readerConnection: RedisConnection(address: redis.address, loop: hub),
                                       commands: redis.connection(on: hub), transport: HTTPClientWebhookTransport(client: client, allowPlainHTTP: config.allowPrivate),
                                       webhookSettings: config.settings, settings: settings, nowMillis: { WallClock.nowMillis() })
            holder.client = client
            holder.runner = runner
            runner.onReady = { health.webhooksReady.store(true, ordering: .relaxed) }
            let loopStats = stats.on(hub.index)
            runner.onAttempt = { outcome, seconds in
                loopStats.data.webhookAttempts[outcome.word, default: 0] += 1
                loopStats.data.webhookAttemptDuration.observe(seconds: seconds)
            }
            runner.start()
            longPoll.withSubscriber { sub in
                sub.subscribe(WebhookQueueKeys.changed) { _ in slot.execute { $0.runner?.subscriptionsChanged() } }
            }
        }
    }

    /// Keeps `NodeHealth.redisReady` true exactly while every loop's Redis connection is up.
    private func watchRedis() {
        for loop in group.loops {
            let task = LoopTask { [self] in
                let conn = redis.connection(on: loop)
                let index = loop.index
                let loopStats = stats.on(index)
                conn.onCommandComplete = { nanos, failed in loopStats.redisCommand(nanos: nanos, failed: failed) }
                conn.onStateChange = { [self] st in self.setConnected(index, st == .connected) }
                setConnected(index, conn.isConnected)
            }
            loop.execute { task.run() }
        }
    }

    private func setConnected(_ index: Int, _ up: Bool) {
        let (all, changed) = connected.withLock { flags -> (Bool, Bool) in
            let was = flags.allSatisfy { $0 }
            flags[index] = up
            let now = flags.allSatisfy { $0 }
            return (now, was != now)
        }
        health.redisReady.store(all, ordering: .relaxed)
        guard changed else { return }
        if all {
            Log.info("redis reachable")
        } else if closingRedis.load(ordering: .relaxed) {
            Log.info("redis connections closed (shutdown)")
        } else {
            Log.warning("redis unreachable")
        }
    }

    /// The SIGTERM path, in reverse start order: not ready for the drain delay, then drain (listeners stop,
    /// parked polls answered, the attendance runner stops), wait up to the grace period for connections to
    /// finish, close the rest, close Redis, stop the loops and the embedded Redis.
    /// - Returns: whether every connection finished within the grace period.
    func stop(_ configuration: ServerConfiguration) async -> Bool {
        if configuration.drainDelaySeconds > 0 {
            server.markNotReady()
            Log.info("not ready; serving on during the drain delay", [("seconds", String(configuration.drainDelaySeconds))])
            await after(seconds: min(configuration.drainDelaySeconds, 3600))
        }
        server.drain()
        longPoll.drain()
        attendance.execute { $0.runner?.stop() }
        webhooks.execute { $0.runner?.stop() }
        let clean = await server.waitUntilIdle(seconds: configuration.graceSeconds)
        if !clean { Log.warning("grace period over; closing remaining connections", [("open", String(health.server.openConnections.load(ordering: .relaxed)))]) }
        await server.closeAll()
        webhooks.execute { $0.client?.close() }
        longPoll.closeSubscriber()
        closingRedis.store(true, ordering: .relaxed)
        await redis.close()
        await group.shutdown()
        embeddedRedis?.stop()
        return clean
    }

    /// Resumes after `seconds` on the loops' clock.
    private func after(seconds: Double) async {
        let hub = group.loops[0]
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            hub.execute { hub.schedule(after: nanos(seconds: seconds)) { done.resume() } }
        }
    }
}

/// Holds the node's attendance runner on the hub loop.
final class AttendanceSlot {
    var runner: AttendanceRunner?
}

/// Holds the node's webhook runner and its HTTP client on the hub loop.
final class WebhookSlot {
    var runner: WebhookRunner?
    var client: HTTPClient?
}
