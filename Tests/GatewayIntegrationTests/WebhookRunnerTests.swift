// Webhook delivery end to end on a real redis-server, through a recording transport: two nodes share one
// stream and deliver every event exactly once to each matching subscription, signed so the Standard
// Webhooks check passes; failures are retried on the (millisecond) schedule until delivered or dead; a 410
// disables the subscription; deliveries held by a node that died are delivered by the other one.
import Foundation
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Synchronization
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookRunnerTests {
    /// Records every POST; answers with `answer(eventID, attempt)`, or never when it returns nil.
    final class Transport: WebhookTransport, Sendable {
        struct Post: Sendable { let url: String; let headers: [String: String]; let body: [UInt8] }
        let posts = Mutex<[Post]>([])
        /// (url, event id, attempt number for that pair) → the answer, or nil for none at all.
        let answer: @Sendable (String, String, Int) -> WebhookSchedule.Outcome?
        init(_ answer: @escaping @Sendable (String, String, Int) -> WebhookSchedule.Outcome?) { self.answer = answer }
        func post(_ url: WebhookURL, headers: [(String, String)], body: [UInt8], _ done: @escaping (WebhookSchedule.Outcome) -> Void) {
            let h = Dictionary(headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { a, _ in a })
            let event = h["webhook-id"] ?? ""
            let attempt = posts.withLock { p -> Int in
                p.append(Post(url: url.text, headers: h, body: body))
                return p.filter { $0.headers["webhook-id"] == event && $0.url == url.text }.count
            }
            if let outcome = answer(url.text, event, attempt) { done(outcome) }
        }
        func received(_ url: String) -> [Post] { posts.withLock { $0.filter { $0.url == url } } }
        func received(_ url: String, event: String) -> [Post] { received(url).filter { $0.headers["webhook-id"] == event } }
    }

    /// One node: a loop, a client, a runner.
    final class Node: @unchecked Sendable {
        // @unchecked: the runner is touched only on `loop` (through `execute`); the rest is immutable.
        let group: EventLoopGroup
        let client: RedisClient
        let slot = RunnerSlot()
        init(_ name: String, redis: EmbeddedRedis, transport: Transport, schedule: [Int64]) throws {
            group = try EventLoopGroup(count: 1)
            client = RedisClient(group: group, address: redis.address)
            group.start()
            let loop = group.loops[0], client = self.client, slot = self.slot
            var webhook = WebhookSettings()
            webhook.retryScheduleMillis = schedule
            var settings = WebhookRunnerSettings(nodeID: name)
            settings.readBlockMillis = 100
            settings.claimIntervalMillis = 5
            settings.reloadIntervalMillis = 100
            settings.maxInFlightPerSubscription = 8  // the take-over test counts this cap (the default is larger)
            let (w, st) = (webhook, settings)
            loop.execute {
                let (webhook, settings) = (w, st)
                let runner = WebhookRunner(loop: loop, readerConnection: RedisConnection(address: redis.address, loop: loop),
                                           commands: client.connection(on: loop), transport: transport, webhookSettings: webhook,
                                           settings: settings, nowMillis: { Int64(Date().timeIntervalSince1970 * 1000) })
                runner.start()
                slot.runner = runner
            }
        }
        func stop() async {
            let loop = group.loops[0], slot = self.slot
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                loop.execute { slot.runner?.stop(); c.resume() }
            }
            await client.close()
            await group.shutdown()
        }
    }

    /// Holds a node's runner.
    final class RunnerSlot: @unchecked Sendable {
        // @unchecked: set and read only on the node's loop (inside `execute`).
        var runner: WebhookRunner?
    }

    static let secret = "whsec_" + Crypto.base64Encode(Array(repeating: 7, count: 32))

    static func subscribe(_ redis: RedisClient, id: String, url: String, events: [String]) async throws {
        let sub = WebhookSubscription(id: id, url: try WebhookURL.parse(url, allowPrivate: true).get(),
                                      events: try WebhookEventFilter.parse(events).get(), description: "",
                                      secret: try WebhookSecret.parse(secret).get(), createdAtMillis: 1)
        _ = try await redis.command(["HSET", WebhookQueueKeys.subscription(id)] + sub.redisFields.flatMap { [$0.0, $0.1] })
        _ = try await redis.command(["SADD", WebhookQueueKeys.ids, id])
    }

    static func emit(_ redis: RedisClient, _ event: String, hook: String) async throws {
        _ = try await redis.command(["XADD", "wg:events", "*", "event_id", event, "hook", hook, "payload", "{\"n\":\"\(event)\"}",
                                     "emitted_at", "2026-12-04T10:00:00Z"])
    }

    static func lab() throws -> (EmbeddedRedis, RedisClient, EventLoopGroup, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whr-\(UUID().uuidString)").path
        let redis = try EmbeddedRedis.start(stateDir: dir)
        let group = try EventLoopGroup(count: 1)
        let client = RedisClient(group: group, address: redis.address)
        group.start()
        return (redis, client, group, dir)
    }

    @Test func twoNodesDeliverEveryEventOnceToEachMatchingSubscriptionSigned() async throws {
        let (redis, admin, adminGroup, dir) = try Self.lab()
        try await admin.waitUntilConnected(timeoutNanos: 5_000_000_000)
        try await Self.subscribe(admin, id: "wh_e1", url: "http://127.0.0.1:9/entered", events: ["client_webinar_entered"])
        try await Self.subscribe(admin, id: "wh_e2", url: "http://127.0.0.1:9/left", events: ["client_webinar_left"])
        try await Self.subscribe(admin, id: "wh_e3", url: "http://127.0.0.1:9/all", events: ["*"])
        let transport = Transport { _, _, _ in .response(status: 204, retryAfter: nil) }
        let a = try Node("n1", redis: redis, transport: transport, schedule: [0])
        let b = try Node("n2", redis: redis, transport: transport, schedule: [0])
        // Let both runners create/join the group before the events (the group starts at the stream's end).
        #expect(await eventually { (try? await admin.command(["XINFO", "GROUPS", "wg:events"]))?.array?.isEmpty == false })
        let n = 200
        for i in 0..<n { try await Self.emit(admin, "evt_\(i)", hook: i % 2 == 0 ? "client_webinar_entered" : "client_webinar_left") }
        #expect(await eventually(seconds: 20) { transport.received("http://127.0.0.1:9/all").count >= n })
        #expect(await eventually(seconds: 10) { (try? await admin.command(["ZCARD", WebhookQueueKeys.due]))?.integer == 0 })
        let all = transport.received("http://127.0.0.1:9/all"), entered = transport.received("http://127.0.0.1:9/entered"),
            left = transport.received("http://127.0.0.1:9/left")
        #expect(Set(all.compactMap { $0.headers["webhook-id"] }).count == n && all.count == n, "every event once: \(all.count)")
        #expect(entered.count == n / 2 && entered.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("client_webinar_entered") })
        #expect(left.count == n / 2 && Set(left.compactMap { $0.headers["webhook-id"] }).count == n / 2)
        let secret = try WebhookSecret.parse(Self.secret).get()
        let now = Int64(Date().timeIntervalSince1970)
        for p in all + entered + left {
            #expect(throws: Never.self) {
                try WebhookSigner.verify(p.headers["webhook-signature"] ?? "", secrets: [secret], id: p.headers["webhook-id"] ?? "",
                                         timestamp: p.headers["webhook-timestamp"] ?? "", body: p.body, nowSeconds: now)
            }
        }
        #expect(String(decoding: all[0].body, as: UTF8.self).hasPrefix("{\"type\":"))
        #expect(try await admin.command(["HGET", WebhookQueueKeys.subscription("wh_e3"), "delivered"]).string == String(n))
        await a.stop(); await b.stop()
        await admin.close(); await adminGroup.shutdown(); redis.stop(); try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func failuresRetryOnTheScheduleUntilDeliveredOrDeadAndGoneDisables() async throws {
        let (redis, admin, adminGroup, dir) = try Self.lab()
        try await admin.waitUntilConnected(timeoutNanos: 5_000_000_000)
        for id in ["flaky", "down", "gone"] {
            // Only gone takes every hook: the `webhook_endpoint_disabled` its 410 causes goes to nobody.
            try await Self.subscribe(admin, id: ["flaky": "wh_f1", "down": "wh_d1", "gone": "wh_9e"][id] ?? "", url: "http://127.0.0.1:9/\(id)",
                                     events: id == "gone" ? ["*"] : ["client_webinar_entered"])
        }
        let transport = Transport { url, _, attempt in
            if url.hasSuffix("/flaky") { return .response(status: attempt <= 3 ? 500 : 200, retryAfter: nil) }
            if url.hasSuffix("/gone") { return .response(status: 410, retryAfter: nil) }
            return .failure("connection refused")
        }
        let node = try Node("n1", redis: redis, transport: transport, schedule: [0, 5, 5, 5])
        #expect(await eventually { (try? await admin.command(["XINFO", "GROUPS", "wg:events"]))?.array?.isEmpty == false })
        try await Self.emit(admin, "evt_1", hook: "client_webinar_entered")
        // Dead: down's and gone's evt_1; the `webhook_endpoint_disabled` gone's 410 causes is not for gone itself.
        func deadLetters() async -> [[String: String]] {
            ((try? await admin.command(["XRANGE", WebhookQueueKeys.dead, "-", "+"]))?.array ?? []).compactMap { entry -> [String: String]? in
                guard let flat = entry.array?.last?.array?.compactMap(\.string) else { return nil }
                return Dictionary(stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }, uniquingKeysWith: { a, _ in a })
            }
        }
        #expect(await eventually(seconds: 10) {
            let dead = await deadLetters().filter { $0["event_id"] == "evt_1" }
            let due = (try? await admin.command(["ZCARD", WebhookQueueKeys.due]))?.integer
            return Set(dead.compactMap { $0["sub"] }) == ["wh_d1", "wh_9e"] && dead.count == 2 && due == 0
        })
        #expect(transport.received("http://127.0.0.1:9/flaky", event: "evt_1").count == 4, "delivered on the 4th attempt")
        #expect(try await admin.command(["HGET", WebhookQueueKeys.subscription("wh_f1"), "delivered"]).string == "1")
        #expect(transport.received("http://127.0.0.1:9/down", event: "evt_1").count == 4, "four attempts, then the dead letter")
        #expect(transport.received("http://127.0.0.1:9/gone").count == 1, "410: no retry, and nothing more to it")
        #expect(try await admin.command(["HGET", WebhookQueueKeys.subscription("wh_9e"), "disabled_reason"]).string == "gone")
        let dead = await deadLetters()
        let down = try #require(dead.first { $0["sub"] == "wh_d1" })
        #expect(down["attempts"] == "4" && down["last_error"] == "connection refused" && down["event_id"] == "evt_1")
        #expect(dead.first { $0["sub"] == "wh_9e" && $0["event_id"] == "evt_1" }?["last_status"] == "410")
        #expect(dead.allSatisfy { $0["event_id"] == "evt_1" }, "gone is never sent (nor dead-lettered) the notice of its own disable: \(dead)")
        // Gone is disabled: a new event is not sent to it (the runner re-read the subscriptions).
        try await Self.emit(admin, "evt_2", hook: "client_webinar_entered")
        #expect(await eventually(seconds: 10) { transport.received("http://127.0.0.1:9/flaky", event: "evt_2").count == 4 })
        #expect(await eventually(seconds: 10) { (try? await admin.command(["ZCARD", WebhookQueueKeys.due]))?.integer == 0 })
        #expect(transport.received("http://127.0.0.1:9/gone").count == 1)
        // The 410 disabled the subscription: one `webhook_endpoint_disabled` event in the stream.
        let disabled = (try await admin.command(["XRANGE", "wg:events", "-", "+"]).array ?? [])
            .compactMap { $0.array?.last?.array?.compactMap(\.string) }.filter { $0.contains("webhook_endpoint_disabled") }
        #expect(disabled.count == 1)
        #expect(disabled.first?.contains { $0.contains("\"webhook_id\":\"wh_9e\"") && $0.contains("\"reason\":\"gone\"") } == true)
        await node.stop()
        await admin.close(); await adminGroup.shutdown(); redis.stop(); try? FileManager.default.removeItem(atPath: dir)
    }

    /// True when no delivery is due now (every one is leased): asked the way a node asks, through ZRANGEBYSCORE.
    func n2Finds(_ admin: RedisClient, nothingDue: Bool) async -> Bool {
        let t = (try? await admin.command(["TIME"]))?.array?.first?.string.flatMap { Int64($0) } ?? 0
        let due = (try? await admin.command(["ZRANGEBYSCORE", WebhookQueueKeys.due, "-inf", String(t * 1000)]))?.array?.count ?? -1
        return (due == 0) == nothingDue
    }

    @Test func deliveriesHeldByANodeThatDiedAreDeliveredByTheOther() async throws {
        let (redis, admin, adminGroup, dir) = try Self.lab()
        try await admin.waitUntilConnected(timeoutNanos: 5_000_000_000)
        try await Self.subscribe(admin, id: "wh_aa", url: "http://127.0.0.1:9/a", events: ["*"])
        let silent = Transport { _, _, _ in nil }  // never answers: n1 holds what it claims
        let n1 = try Node("n1", redis: redis, transport: silent, schedule: [0])
        #expect(await eventually { (try? await admin.command(["XINFO", "GROUPS", "wg:events"]))?.array?.isEmpty == false })
        for i in 0..<20 { try await Self.emit(admin, "evt_\(i)", hook: "client_webinar_left") }
        // n1 claims all 20; 8 are in flight (the per-subscription cap), 12 wait for a slot: all leased to n1.
        #expect(await eventually(seconds: 10) { silent.received("http://127.0.0.1:9/a").count == 8 })
        #expect(await eventually(seconds: 10) {
            (try? await admin.command(["KEYS", WebhookQueueKeys.deliveryPrefix + "*"]))?.array?.count == 20
        })
        #expect(silent.received("http://127.0.0.1:9/a").count == 8, "never more than the cap in flight")
        #expect(await n2Finds(admin, nothingDue: true))
        await n1.stop()  // n1 dies holding 20 leases
        // Its leases run out (planted: nothing sleeps for the 30 s claim-after).
        let members = (try await admin.command(["ZRANGE", WebhookQueueKeys.due, "0", "-1"]).array ?? []).compactMap(\.string)
        #expect(members.count == 20)
        for m in members { _ = try await admin.command(["ZADD", WebhookQueueKeys.due, "XX", "0", m]) }
        let ok = Transport { _, _, _ in .response(status: 200, retryAfter: nil) }
        let n2 = try Node("n2", redis: redis, transport: ok, schedule: [0])
        #expect(await eventually(seconds: 10) { (try? await admin.command(["ZCARD", WebhookQueueKeys.due]))?.integer == 0 })
        let got = ok.received("http://127.0.0.1:9/a")
        #expect(got.count == 20 && Set(got.compactMap { $0.headers["webhook-id"] }).count == 20, "n2 sent \(got.count)")
        await n2.stop()
        await admin.close(); await adminGroup.shutdown(); redis.stop(); try? FileManager.default.removeItem(atPath: dir)
    }
}
