// The webhook delivery queue's scripts on a real redis-server: fan-out acknowledges the stream entry and
// is idempotent, claims lease deliveries to one node, a lease that ran out (planted: nothing sleeps) lets
// another node take the delivery and the first node's late result changes nothing, renewals keep a
// holder's work, and each outcome leaves the records, counters and dead letters it should.
import Foundation
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookQueueTests {
    /// One redis-server and a client on one loop; queues for named nodes on that loop's connection.
    final class Lab: @unchecked Sendable {
        // @unchecked: used from the test's task only; the loop-bound parts are touched through `onLoop`.
        let redis: EmbeddedRedis
        let group: EventLoopGroup
        let client: RedisClient
        let dir: String

        /// - Parameter beforeStart: runs before the loop starts (what must be built off a running loop, e.g. a server).
        init(beforeStart: (EventLoopGroup, RedisClient) throws -> Void = { _, _ in }) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("whq-\(UUID().uuidString)").path
            redis = try EmbeddedRedis.start(stateDir: dir)
            group = try EventLoopGroup(count: 1)
            client = RedisClient(group: group, address: redis.address)
            try beforeStart(group, client)
            group.start()
        }

        /// A lab whose client is connected.
        static func start(beforeStart: (EventLoopGroup, RedisClient) throws -> Void = { _, _ in }) async throws -> Lab {
            let lab = try Lab(beforeStart: beforeStart)
            try await lab.client.waitUntilConnected(timeoutNanos: 5_000_000_000)
            return lab
        }

        func stop() async {
            await client.close()
            await group.shutdown()
            redis.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }

        func queue(_ node: String, leaseMillis: Int64 = 30_000, disableAfterMillis: Int64 = 5 * 86_400_000) -> @Sendable (RedisConnection) -> WebhookQueue {
            { connection in
                var q = WebhookQueue(connection: connection, nodeID: node, leaseMillis: leaseMillis, deadLetterMaxLength: 1000)
                q.disableAfterMillis = disableAfterMillis
                q.environment = EventEnvironment(now: { "2026-12-04T21:00:00.000Z" }, newEventID: { "evt_disabled_1" })
                return q
            }
        }

        /// Runs one queue call on the loop and waits for its result.
        func on<T: Sendable>(_ make: @escaping @Sendable (RedisConnection) -> WebhookQueue,
                             _ call: @escaping @Sendable (WebhookQueue, @escaping @Sendable (T) -> Void) -> Void) async -> T {
            let loop = group.loops[0], client = self.client
            return await withCheckedContinuation { c in
                loop.execute { call(make(client.connection(on: loop))) { c.resume(returning: $0) } }
            }
        }

        func cmd(_ args: String...) async throws -> RedisReply { try await client.command(args) }

        /// An entry read into the `webhooks` group's pending list, as the delivery reader would leave it.
        func pendingEntry(event: String) async throws -> String {
            let id = try await cmd("XADD", "wg:events", "*", "event_id", event, "hook", "client_webinar_entered",
                                   "payload", "{\"a\":1}", "emitted_at", "2026-12-04T00:00:00Z").string ?? ""
            _ = try? await cmd("XGROUP", "CREATE", "wg:events", WebhookQueueKeys.consumerGroup, "0")
            _ = try await cmd("XREADGROUP", "GROUP", WebhookQueueKeys.consumerGroup, "n1", "COUNT", "100", "STREAMS", "wg:events", ">")
            return id
        }

        func pending() async throws -> Int64 {
            try await cmd("XPENDING", "wg:events", WebhookQueueKeys.consumerGroup).array?.first?.integer ?? -1
        }
    }

    static let body = Array("{\"type\":\"client_webinar_entered\",\"timestamp\":\"t\",\"data\":{\"a\":1}}".utf8)

    func fanOut(_ lab: Lab, entry: String, event: String, subs: [String]) async -> Int {
        let r: Result<Int, RedisError> = await lab.on(lab.queue("n1")) { q, done in
            q.fanOut(stream: "wg:events", entryID: entry, eventID: event, type: "client_webinar_entered", body: Self.body,
                     subscriptions: subs) { done($0) }
        }
        return (try? r.get()) ?? -1
    }

    func claim(_ lab: Lab, _ node: String, limit: Int = 10) async -> [ClaimedDelivery] {
        let r: Result<[ClaimedDelivery], RedisError> = await lab.on(lab.queue(node)) { q, done in q.claim(limit: limit) { done($0) } }
        return (try? r.get()) ?? []
    }

    func settle(_ lab: Lab, _ node: String, _ d: ClaimedDelivery, _ o: DeliveryOutcome, status: Int? = nil, error: String? = nil,
                disableAfterMillis: Int64 = 5 * 86_400_000) async -> Bool? {
        let r: Result<Bool, RedisError> = await lab.on(lab.queue(node, disableAfterMillis: disableAfterMillis)) { q, done in
            q.settle(d, o, status: status, error: error) { done($0) }
        }
        return try? r.get()
    }

    @Test func fanOutAcknowledgesTheEntryOnceAndClaimsLeaseToOneNode() async throws {
        let lab = try await Lab.start()
        let entry = try await lab.pendingEntry(event: "evt_1")
        #expect(try await lab.pending() == 1)
        #expect(await fanOut(lab, entry: entry, event: "evt_1", subs: ["wh_a", "wh_b"]) == 2)
        #expect(try await lab.pending() == 0, "the entry is acknowledged in the same step")
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.due).integer == 2)
        #expect(await fanOut(lab, entry: entry, event: "evt_1", subs: ["wh_a", "wh_b"]) == 0, "a second fan-out makes nothing")

        let first = await claim(lab, "n1")
        #expect(first.map(\.subscriptionID).sorted() == ["wh_a", "wh_b"])
        #expect(first.allSatisfy { $0.eventID == "evt_1" && $0.body == Self.body && $0.attempts == 0 && $0.type == "client_webinar_entered" })
        #expect(await claim(lab, "n2").isEmpty, "leased to n1: nobody else gets them")
        await lab.stop()
    }

    @Test func aLeaseThatRanOutGoesToAnotherNodeAndTheOldHoldersResultIsIgnored() async throws {
        let lab = try await Lab.start()
        let entry = try await lab.pendingEntry(event: "evt_2")
        _ = await fanOut(lab, entry: entry, event: "evt_2", subs: ["wh_a"])
        _ = try await lab.cmd("HSET", WebhookQueueKeys.subscription("wh_a"), "id", "wh_a", "url", "http://x")
        let held = try #require(await claim(lab, "n1").first)
        // n1 renews while it works: its lease moves later, so n2 finds nothing due.
        let renewed: Result<Int, RedisError> = await lab.on(lab.queue("n1")) { q, done in q.renew([held.member]) { done($0) } }
        #expect((try? renewed.get()) == 1)
        #expect(await claim(lab, "n2").isEmpty)
        // n1 stops renewing (died): plant the lease's end in the past.
        _ = try await lab.cmd("ZADD", WebhookQueueKeys.due, "XX", "0", held.member)
        let taken = try #require(await claim(lab, "n2").first)
        #expect(taken.member == held.member)
        #expect(await settle(lab, "n1", held, .delivered) == false, "n1 no longer holds it")
        let notRenewed: Result<Int, RedisError> = await lab.on(lab.queue("n1")) { q, done in q.renew([held.member]) { done($0) } }
        #expect((try? notRenewed.get()) == 0)
        #expect(await settle(lab, "n2", taken, .delivered) == true)
        #expect(try await lab.cmd("EXISTS", WebhookQueueKeys.delivery(sub: "wh_a", event: "evt_2")).integer == 0)
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.due).integer == 0)
        #expect(try await lab.cmd("HGET", WebhookQueueKeys.subscription("wh_a"), "delivered").string == "1")
        #expect(try await lab.cmd("HEXISTS", WebhookQueueKeys.subscription("wh_a"), "last_success_at").integer == 1)
        await lab.stop()
    }

    @Test func retriesCountAttemptsAndComeBackAfterTheirDelay() async throws {
        let lab = try await Lab.start()
        let entry = try await lab.pendingEntry(event: "evt_3")
        _ = await fanOut(lab, entry: entry, event: "evt_3", subs: ["wh_a"])
        _ = try await lab.cmd("HSET", WebhookQueueKeys.subscription("wh_a"), "id", "wh_a", "url", "http://x")
        let d = try #require(await claim(lab, "n1").first)
        #expect(await settle(lab, "n1", d, .retry(delayMillis: 60_000), status: 500, error: "") == true)
        let record = WebhookQueueKeys.delivery(sub: "wh_a", event: "evt_3")
        #expect(try await lab.cmd("HGET", record, "attempts").string == "1")
        #expect(try await lab.cmd("HGET", record, "last_status").string == "500")
        #expect(try await lab.cmd("HGET", record, "holder").string == "")
        #expect(await claim(lab, "n1").isEmpty, "not due for a minute")
        _ = try await lab.cmd("ZADD", WebhookQueueKeys.due, "XX", "0", d.member)  // the minute has passed
        let again = try #require(await claim(lab, "n2").first)
        #expect(again.attempts == 1 && again.body == Self.body)
        #expect(try await lab.cmd("HGET", WebhookQueueKeys.subscription("wh_a"), "failed").string == "1")
        await lab.stop()
    }

    @Test func deadAndGoneGoToTheDeadLettersAndGoneDisablesTheSubscription() async throws {
        let lab = try await Lab.start()
        let entry = try await lab.pendingEntry(event: "evt_4")
        _ = await fanOut(lab, entry: entry, event: "evt_4", subs: ["wh_a", "wh_b", "wh_gone"])
        for s in ["wh_a", "wh_b"] { _ = try await lab.cmd("HSET", WebhookQueueKeys.subscription(s), "id", s, "url", "http://x") }
        let held = await claim(lab, "n1")
        let bySub = Dictionary(uniqueKeysWithValues: held.map { ($0.subscriptionID, $0) })
        let a = try #require(bySub["wh_a"]), b = try #require(bySub["wh_b"]), gone = try #require(bySub["wh_gone"])
        #expect(await settle(lab, "n1", a, .dead, status: 503, error: "") == true)
        #expect(await settle(lab, "n1", b, .gone, status: 410, error: "") == true)
        #expect(await settle(lab, "n1", gone, .dead, status: nil, error: "connection refused") == true)
        let dead = try await lab.cmd("XRANGE", WebhookQueueKeys.dead, "-", "+").array ?? []
        #expect(dead.count == 3)
        let fields = dead.compactMap { $0.array?.last?.array?.compactMap(\.string) }
        let first = Dictionary(uniqueKeysWithValues: stride(from: 0, to: fields[0].count - 1, by: 2).map { (fields[0][$0], fields[0][$0 + 1]) })
        #expect(first["sub"] == "wh_a" && first["event_id"] == "evt_4" && first["attempts"] == "1" && first["last_status"] == "503")
        #expect(first["body"] == String(decoding: Self.body, as: UTF8.self))
        #expect(try await lab.cmd("HGET", WebhookQueueKeys.subscription("wh_b"), "disabled_reason").string == "gone")
        #expect(try await lab.cmd("HEXISTS", WebhookQueueKeys.subscription("wh_a"), "disabled_reason").integer == 0, "a dead delivery disables nothing")
        #expect(try await lab.cmd("EXISTS", WebhookQueueKeys.subscription("wh_gone")).integer == 0,
                "a deleted subscription is not brought back by its counters")
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.due).integer == 0)
        await lab.stop()
    }

    /// The failure run: a failure starts it (`failing_since`), a 2xx ends it; a run as long as disable-after
    /// (planted as 0 here, so nothing sleeps) disables the subscription once, with one
    /// `webhook_endpoint_disabled` event and a change notice; a 410 disables and emits the same way.
    @Test func aFailureRunAsLongAsDisableAfterDisablesOnceAndEmitsTheEvent() async throws {
        let lab = try await Lab.start()
        let sub = WebhookQueueKeys.subscription("wh_a")
        _ = try await lab.cmd("HSET", sub, "id", "wh_a", "url", "https://crm.example.com/h", "disabled_reason", "")
        let baseline = try await lab.cmd("XLEN", "wg:events").integer ?? -1
        func attempt(_ event: String, _ outcome: DeliveryOutcome, status: Int?, disableAfter: Int64) async throws -> Bool? {
            let entry = try await lab.pendingEntry(event: event)
            _ = await fanOut(lab, entry: entry, event: event, subs: ["wh_a"])
            let d = try #require(await claim(lab, "n1").first { $0.eventID == event })
            return await settle(lab, "n1", d, outcome, status: status, disableAfterMillis: disableAfter)
        }
        let far: Int64 = 5 * 86_400_000
        #expect(try await attempt("evt_f1", .retry(delayMillis: 60_000), status: 500, disableAfter: far) == true)
        let since = try await lab.cmd("HGET", sub, "failing_since").string ?? ""
        #expect(Int64(since) ?? 0 > 0, "a failure starts the run: \(since)")
        #expect(try await attempt("evt_f2", .retry(delayMillis: 60_000), status: 500, disableAfter: far) == true)
        #expect(try await lab.cmd("HGET", sub, "failing_since").string == since, "a second failure continues the run")
        #expect(try await attempt("evt_ok", .delivered, status: 204, disableAfter: far) == true)
        #expect(try await lab.cmd("HGET", sub, "failing_since").string == "", "a 2xx ends the run")
        #expect(try await lab.cmd("HGET", sub, "disabled_reason").string == "")
        #expect(try await lab.cmd("XLEN", "wg:events").integer == baseline + 3, "no event while the run is shorter than disable-after")

        #expect(try await attempt("evt_f3", .retry(delayMillis: 60_000), status: 503, disableAfter: 0) == true)
        #expect(try await lab.cmd("HGET", sub, "disabled_reason").string == "failing")
        #expect(try await attempt("evt_f4", .retry(delayMillis: 60_000), status: 503, disableAfter: 0) == true)
        let events = (try await lab.cmd("XRANGE", "wg:events", "-", "+").array ?? []).compactMap { e -> [String: String]? in
            guard let f = e.array?.last?.array?.compactMap(\.string) else { return nil }
            return Dictionary(stride(from: 0, to: f.count - 1, by: 2).map { (f[$0], f[$0 + 1]) }, uniquingKeysWith: { a, _ in a })
        }
        let disabled = events.filter { $0["hook"] == "webhook_endpoint_disabled" }
        #expect(disabled.count == 1, "once: a disabled subscription is not disabled again")
        let d = try #require(disabled.first)
        #expect(d["event_id"] == "evt_disabled_1" && d["emitted_at"] == "2026-12-04T21:00:00.000Z")
        let payload = try #require(try JSONSerialization.jsonObject(with: Data((d["payload"] ?? "").utf8)) as? [String: Any])
        #expect(payload["webhook_id"] as? String == "wh_a" && payload["reason"] as? String == "failing"
                && payload["url"] as? String == "https://crm.example.com/h" && payload["timestamp"] as? String == "2026-12-04T21:00:00.000Z")
        #expect(payload["failing_for_seconds"] is Int)

        // A 410 on an enabled subscription: disabled `gone`, one more event.
        _ = try await lab.cmd("HSET", sub, "disabled_reason", "", "failing_since", "")
        #expect(try await attempt("evt_g", .gone, status: 410, disableAfter: far) == true)
        #expect(try await lab.cmd("HGET", sub, "disabled_reason").string == "gone")
        let after = try await lab.cmd("XRANGE", "wg:events", "-", "+").array ?? []
        let gone = after.compactMap { $0.array?.last?.array?.compactMap(\.string) }.filter { $0.contains("webhook_endpoint_disabled") }
        #expect(gone.count == 2 && gone.last?.contains { $0.contains("\"reason\":\"gone\"") } == true)
        await lab.stop()
    }

    /// The backlog gauges read what the scripts keep: pending deliveries and their oldest creation time
    /// (the created zset follows fan-out, delivery and the dead letters), the group's lag, dead letters,
    /// subscriptions and how many are disabled.
    @Test func backlogReadsPendingOldestLagDeadAndDisabled() async throws {
        let lab = try await Lab.start()
        for (id, reason) in [("wh_a", ""), ("wh_b", "gone")] {
            _ = try await lab.cmd("HSET", WebhookQueueKeys.subscription(id), "id", id, "url", "http://x", "disabled_reason", reason)
            _ = try await lab.cmd("SADD", WebhookQueueKeys.ids, id)
        }
        let entry = try await lab.pendingEntry(event: "evt_b1")
        _ = try await lab.cmd("XADD", "wg:events", "*", "event_id", "evt_unread", "hook", "client_webinar_entered", "payload", "{}", "emitted_at", "t")
        _ = await fanOut(lab, entry: entry, event: "evt_b1", subs: ["wh_a", "wh_b"])
        func read() async -> WebhookBacklog? {
            await lab.on(lab.queue("n1")) { q, done in WebhookBacklog.read(q.connection) { done($0) } }
        }
        let before = try #require(await read())
        #expect(before.pendingDeliveries == 2 && before.deadLetters == 0 && before.subscriptions == 2 && before.disabledSubscriptions == 1)
        #expect(before.streamLagEntries == 1, "one entry appended after the group's last read")
        #expect(before.oldestPendingSeconds >= 0 && before.oldestPendingSeconds < 60)
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.created).integer == 2)
        let held = await claim(lab, "n1")
        let bySub = Dictionary(uniqueKeysWithValues: held.map { ($0.subscriptionID, $0) })
        #expect(await settle(lab, "n1", try #require(bySub["wh_a"]), .delivered, status: 204) == true)
        #expect(await settle(lab, "n1", try #require(bySub["wh_b"]), .dead, status: 500) == true)
        let after = try #require(await read())
        #expect(after.pendingDeliveries == 0 && after.oldestPendingSeconds == 0 && after.deadLetters == 1)
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.created).integer == 0, "delivered and dead leave the created zset")
        #expect(after.lines.contains("gateway_webhook_dead_letters 1\n") && after.lines.contains("gateway_webhook_disabled_subscriptions 1\n"))
        await lab.stop()
    }
}
