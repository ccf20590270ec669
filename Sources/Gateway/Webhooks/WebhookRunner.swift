// API: webhook delivery on one node, on one loop. It reads `wg:events` as a consumer of the `webhooks`
// group (`WebhookStreamReader`), fans each entry out to the matching subscriptions and acknowledges it in
// one script (`WebhookQueue.fanOut`), claims due deliveries under a lease, signs each (Standard Webhooks
// v1) and POSTs it through the `WebhookTransport`, and settles the outcome the schedule decides:
// delivered, retry after the schedule's delay, dead after the last attempt, gone on 410. Leases of
// deliveries in flight or waiting for a free slot of their subscription are renewed every third of the
// lease, so a healthy node's work is never taken; a node that dies loses it to the others once its
// leases end. Nothing about a delivery lives only here. Entries are read only once the subscriptions
// were read, so none is acknowledged before it is fanned out to the subscriptions that exist.
import Reactor
import RedisStore

/// The delivery runner of one node (its loop only).
final class WebhookRunner {
    let loop: EventLoop
    private let reader: WebhookStreamReader
    private let commands: RedisConnection
    private let queue: WebhookQueue
    private let transport: any WebhookTransport
    private let schedule: WebhookSchedule
    private let settings: WebhookRunnerSettings
    private let nowMillis: () -> Int64
    private let random: () -> Double
    let subscriptions: WebhookSubscriptionSet
    /// Claimed and not yet settled, by `due` member.
    private var held: [String: ClaimedDelivery] = [:]
    private var inFlight: [String: Int] = [:]
    private var waiting: [String: [ClaimedDelivery]] = [:]
    private var claiming = false
    private var stopped = false
    private var timers: [LoopTimer] = []

    /// - Parameters:
    ///   - readerConnection: a connection of the runner's own for the blocking reads (started here).
    ///   - commands: the loop's command connection (scripts, reloads).
    init(loop: EventLoop, readerConnection: RedisConnection, commands: RedisConnection, transport: any WebhookTransport,
         webhookSettings: WebhookSettings, settings: WebhookRunnerSettings, stream: String = "wg:events",
         nowMillis: @escaping () -> Int64, random: @escaping () -> Double = { Double.random(in: 0..<1) }) {
        self.loop = loop
        self.commands = commands
        self.transport = transport
        self.schedule = WebhookSchedule(settings: webhookSettings)
        self.settings = settings
        self.nowMillis = nowMillis
        self.random = random
        self.subscriptions = WebhookSubscriptionSet(settings: webhookSettings)
        var queue = WebhookQueue(connection: commands, nodeID: settings.nodeID, leaseMillis: settings.leaseMillis,
                                 deadLetterMaxLength: settings.deadLetterMaxLength)
        queue.disableAfterMillis = webhookSettings.disableAfterMillis
        queue.eventStream = stream
        queue.eventStreamMaxLength = settings.eventStreamMaxLength
        self.queue = queue
        self.reader = WebhookStreamReader(stream: stream, connection: readerConnection, consumer: settings.nodeID,
                                          batch: settings.readBatchEntries, blockMillis: settings.readBlockMillis)
        readerConnection.start()
    }

    /// Deliveries this node holds now (claimed, not settled).
    var heldCount: Int { held.count }

    /// Starts reading, claiming, renewing and reloading; returns at once.
    func start() {
        loop.assertInEventLoop()
        every(settings.reloadIntervalMillis) { [self] in subscriptionsChanged() }
        every(max(1, settings.leaseMillis / 3)) { [self] in queue.renew(Array(held.keys)) { _ in } }
        every(settings.claimIntervalMillis) { [self] in claim() }
        every(settings.leaseMillis) { [self] in takeOverDeadConsumers() }
        // The group first (so no entry appended from now on can be missed), then the subscriptions, then reading.
        reader.prepare { [self] in
            onReady?()
            waitForSubscriptions { self.reader.run { entries, next in self.fanOut(entries[...], next) } }
        }
    }

    /// Called once the consumer group exists (the node may then report ready: no event it emits is missed).
    var onReady: (() -> Void)?

    /// Called for every finished attempt: how the queue settles it, and how long it took (seconds).
    var onAttempt: ((DeliveryOutcome, Double) -> Void)?

    /// Stops reading and claiming (results of requests in flight are still settled).
    func stop() {
        stopped = true
        for t in timers { t.cancel() }
        timers = []
        reader.stop()
    }

    /// Re-reads the subscriptions (a change notice, or the reload timer).
    func subscriptionsChanged() {
        subscriptions.reload(commands, nowMillis: nowMillis()) { _ in }
    }

    // MARK: stream → deliveries

    private func waitForSubscriptions(_ then: @escaping () -> Void) {
        subscriptions.reload(commands, nowMillis: nowMillis()) { [self] ok in
            if ok { return then() }
            guard !stopped else { return }
            if !commands.isConnected {
                // Not up yet (start) or down: again as soon as it is, without a timer.
                return commands.waitForConnection(timeoutNanos: 60_000_000_000) { _ in self.waitForSubscriptions(then) }
            }
            loop.schedule(after: 200_000_000) { self.waitForSubscriptions(then) }
        }
    }

    /// Fans a batch out in one script (`WebhookQueue.fanOut(stream:_:)`), then calls `next`. When the
    /// script did not run, no entry of the batch was acknowledged: they stay pending for this consumer
    /// and the batch is tried again after a pause.
    private func fanOut(_ entries: ArraySlice<StreamEntry>, _ next: @escaping () -> Void) {
        guard !entries.isEmpty, !stopped else { return next() }
        var items: [WebhookQueue.FanOutItem] = []
        items.reserveCapacity(entries.count)
        var anyDelivery = false
        for entry in entries {
            do {
                let envelope = try WebhookEnvelope(fields: entry.fields)
                var subs = subscriptions.matching(envelope.hook).map(\.id)
                if let about = envelope.disabledSubscriptionID {
                    // A subscription is never told of its own disable (it may still look enabled here until the reload).
                    subs.removeAll { $0 == about }
                }
                anyDelivery = anyDelivery || !subs.isEmpty
                items.append(.init(entryID: entry.id, eventID: envelope.eventID, type: envelope.hook, body: envelope.body, subscriptions: subs))
            } catch {
                Log.warning("webhooks: stream entry without a valid event; acknowledged without deliveries", [("entry", entry.id)])
                items.append(.init(entryID: entry.id, eventID: "-", type: "", body: [], subscriptions: []))
            }
        }
        queue.fanOut(stream: reader.stream, items) { [self] result in
            if case .failure = result {
                loop.schedule(after: 200_000_000) { self.fanOut(entries, next) }
                return
            }
            if anyDelivery { claim() }
            next()
        }
    }

    private func takeOverDeadConsumers() {
        reader.takeOver(idleMillis: settings.leaseMillis, on: commands) { [self] entries in
            if !entries.isEmpty { fanOut(entries[...]) {} }
        }
    }

    // MARK: deliveries → attempts

    private func claim() {
        // Not before the subscriptions were read once: a delivery of an unknown subscription is dead.
        guard !stopped, !claiming, subscriptions.loadedAtMillis != nil else { return }
        let room = settings.maxInFlight - held.count
        guard room > 0 else { return }
        claiming = true
        let limit = min(settings.claimBatchDeliveries, room)
        queue.claim(limit: limit) { [self] result in
            claiming = false
            guard case .success(let claimed) = result else { return }
            for d in claimed {
                held[d.member] = d
                dispatch(d)
            }
            if claimed.count == limit { claim() }
        }
    }

    private func dispatch(_ d: ClaimedDelivery) {
        guard let sub = subscriptions.byID[d.subscriptionID] else {
            return finish(d, .dead, status: nil, error: "subscription deleted")
        }
        guard sub.enabled else {
            return finish(d, .dead, status: nil, error: "subscription disabled (\(sub.disabledReason?.rawValue ?? "manual"))")
        }
        if inFlight[sub.id, default: 0] >= settings.maxInFlightPerSubscription {
            waiting[sub.id, default: []].append(d)
            return
        }
        inFlight[sub.id, default: 0] += 1
        let now = nowMillis()
        let timestamp = now / 1000
        let headers = [("Content-Type", "application/json"), ("webhook-id", d.eventID), ("webhook-timestamp", String(timestamp)),
                       ("webhook-signature", WebhookSigner.header(secrets: sub.signingSecrets(nowMillis: now), id: d.eventID,
                                                                  timestamp: timestamp, body: d.body))]
        let started = loop.clock.nowNanos()
        transport.post(sub.url, headers: headers, body: d.body) { [self] outcome in
            inFlight[sub.id, default: 1] -= 1
            let seconds = Double(loop.clock.nowNanos() &- started) / 1e9
            let at = nowMillis()
            let decision = schedule.decide(attempt: d.attempts + 1, outcome: outcome, nowMillis: at, random: random)
            var status: Int?, error: String?
            switch outcome {
            case .response(let s, _): status = s
            case .failure(let text): error = text
            }
            let settled: DeliveryOutcome
            switch decision {
            case .delivered: settled = .delivered
            case .retry(let when): settled = .retry(delayMillis: max(0, when - at))
            case .dead: settled = .dead
            case .gone: settled = .gone
            }
            onAttempt?(settled, seconds)
            finish(d, settled, status: status, error: error)
            if let next = takeWaiting(sub.id) { dispatch(next) }
        }
    }

    /// The oldest delivery waiting for a free slot of subscription `id`. The queue is moved out of the
    /// dictionary first, so removing its head shifts a uniquely held buffer instead of copying every
    /// waiting delivery (a copy-on-write of the whole queue per answer).
    private func takeWaiting(_ id: String) -> ClaimedDelivery? {
        guard var queued = waiting.removeValue(forKey: id), !queued.isEmpty else { return nil }
        let next = queued.removeFirst()
        if !queued.isEmpty { waiting[id] = queued }
        return next
    }

    private func finish(_ d: ClaimedDelivery, _ outcome: DeliveryOutcome, status: Int?, error: String?) {
        queue.settle(d, outcome, status: status, error: error) { [self] _ in
            // Settled, taken over, or Redis unreachable: in every case the lease decides who tries next.
            held[d.member] = nil
            if outcome == .gone {
                // Nothing more goes to it from this node, not even what is read before the reload answers.
                subscriptions.markDisabled(d.subscriptionID, .gone)
                subscriptionsChanged()
            }
            claim()
        }
    }

    private func every(_ millis: Int64, _ body: @escaping () -> Void) {
        let nanos = UInt64(max(1, millis)) * 1_000_000
        func arm() {
            timers.append(loop.schedule(after: nanos) { [weak self] in
                guard let self, !self.stopped else { return }
                self.timers.removeAll { !$0.isPending }
                body()
                arm()
            })
        }
        arm()
    }
}
