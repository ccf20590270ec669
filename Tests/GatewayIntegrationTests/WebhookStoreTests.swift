// WebhookStore on a real redis-server: create writes hash + index + notice in one step, get/list read
// them back, patch changes only the given fields (all or nothing, never re-making a deleted one),
// enable/disable, rotation matches WebhookSubscription.rotated, delete, and the dead letters of one
// subscription listed and replayed (record back, due now, entry gone). Clock and randomness are pinned.
import Foundation
import Synchronization
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookStoreTests {
    typealias Lab = WebhookQueueTests.Lab
    static let now: Int64 = 1_800_000_000_000

    /// Runs one store call on the loop (fixed clock) and waits for its result.
    static func on<T: Sendable>(_ lab: Lab, _ call: @escaping @Sendable (WebhookStore, @escaping @Sendable (Result<T, Problem>) -> Void) -> Void) async -> Result<T, Problem> {
        let loop = lab.group.loops[0], client = lab.client
        return await withCheckedContinuation { c in
            loop.execute {
                var store = WebhookStore(connection: client.connection(on: loop))
                store.nowMillis = { now }
                call(store) { c.resume(returning: $0) }
            }
        }
    }

    static func input(_ fields: [String: ClaimValue], _ mode: WebhookSubscriptionInput.Mode = .create) throws -> WebhookSubscriptionInput {
        try WebhookSubscriptionInput.parse(fields, mode: mode, allowPrivate: false).get()
    }

    static func create(_ lab: Lab, url: String = "https://example.com/hook") async throws -> WebhookSubscription {
        let i = try input(["url": .string(url), "events": .array([.string("client_webinar_entered")]), "description": .string("crm")])
        return try await on(lab) { $0.create(i, $1) }.get()
    }

    /// Parks a dead letter as the settle script would.
    static func park(_ lab: Lab, sub: String, event: String) async throws {
        _ = try await lab.cmd("XADD", WebhookQueueKeys.dead, "*", "sub", sub, "event_id", event, "attempts", "10", "last_status", "500",
                              "last_error", "", "dead_at", "1800000000000", "type", "client_webinar_entered", "body", "{\"x\":1}")
    }

    @Test func createStoresHashAndIndexThenGetAndListReadIt() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)
        #expect(sub.id.hasPrefix("wh_") && sub.enabled && sub.createdAtMillis == Self.now && sub.description == "crm")
        #expect(try await lab.cmd("SISMEMBER", WebhookQueueKeys.ids, sub.id).integer == 1)
        #expect(try await lab.cmd("HGET", WebhookQueueKeys.subscription(sub.id), "secret").string == sub.secret.text)
        let got = try await Self.on(lab) { $0.get(sub.id, $1) }.get()
        #expect(got == sub)
        let second = try await Self.create(lab, url: "https://example.org/b")
        let all = try await Self.on(lab) { $0.list($1) }.get()
        #expect(Set(all.map(\.id)) == [sub.id, second.id])
        let missing = await Self.on(lab) { $0.get("wh_00ff", $1) }
        #expect(missing.failureStatus == 404)
        await lab.stop()
    }

    @Test func patchChangesOnlyTheGivenFieldsAndKeepsCounters() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)
        _ = try await lab.cmd("HINCRBY", WebhookQueueKeys.subscription(sub.id), "delivered", "7")
        let change = try Self.input(["description": .string("new"), "enabled": .bool(false)], .patch)
        let after = try await Self.on(lab) { $0.patch(sub.id, change, $1) }.get()
        var expected = sub.patched(change)
        expected.counters.delivered = 7
        #expect(after == expected)
        #expect(after.disabledReason == .manual && after.url == sub.url && after.events == sub.events)
        // Disabling again keeps a reason the delivery layer set.
        _ = try await lab.cmd("HSET", WebhookQueueKeys.subscription(sub.id), "disabled_reason", "gone")
        let still = try await Self.on(lab) { $0.setEnabled(sub.id, false, $1) }.get()
        #expect(still.disabledReason == .gone)
        let enabled = try await Self.on(lab) { $0.setEnabled(sub.id, true, $1) }.get()
        #expect(enabled.enabled && enabled.counters.delivered == 7)
        await lab.stop()
    }

    @Test func patchOfAVanishedSubscriptionIs404AndReMakesNothing() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)
        let deleted: Result<Void, Problem> = await Self.on(lab) { $0.delete(sub.id, $1) }
        #expect(deleted.failureStatus == nil)
        #expect(try await lab.cmd("EXISTS", WebhookQueueKeys.subscription(sub.id)).integer == 0)
        #expect(try await lab.cmd("SISMEMBER", WebhookQueueKeys.ids, sub.id).integer == 0)
        let change = try Self.input(["description": .string("x")], .patch)
        #expect(await Self.on(lab) { $0.patch(sub.id, change, $1) }.failureStatus == 404)
        #expect(await Self.on(lab) { $0.rotateSecret(sub.id, $1) }.failureStatus == 404)
        #expect(try await lab.cmd("EXISTS", WebhookQueueKeys.subscription(sub.id)).integer == 0, "nothing re-made")
        let again: Result<Void, Problem> = await Self.on(lab) { $0.delete(sub.id, $1) }
        #expect(again.failureStatus == 404)
        await lab.stop()
    }

    @Test func rotationKeepsThePreviousSecretForTheGrace() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)
        let after = try await Self.on(lab) { $0.rotateSecret(sub.id, $1) }.get()
        #expect(after.secret != sub.secret)
        #expect(after == sub.rotated(to: after.secret, nowMillis: Self.now))
        #expect(after.signingSecrets(nowMillis: Self.now + 1) == [after.secret, sub.secret])
        await lab.stop()
    }

    @Test func deadListsOnlyThisSubscriptionsLettersAndReplayPutsThemBack() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)
        try await Self.park(lab, sub: sub.id, event: "evt_1")
        try await Self.park(lab, sub: "wh_other", event: "evt_1")
        try await Self.park(lab, sub: sub.id, event: "evt_2")
        let dead = try await Self.on(lab) { $0.dead(sub.id, $1) }.get()
        #expect(dead.map(\.eventID) == ["evt_2", "evt_1"], "newest first, only this subscription")
        #expect(dead.first?.attempts == 10 && dead.first?.lastStatus == 500 && dead.first?.lastError == nil)

        #expect(try await Self.on(lab) { $0.replay(sub.id, eventID: "evt_2", $1) }.get() == 1)
        let record = try await lab.cmd("HGET", WebhookQueueKeys.delivery(sub: sub.id, event: "evt_2"), "attempts")
        #expect(record.string == "0")
        #expect(try await lab.cmd("ZSCORE", WebhookQueueKeys.due, WebhookQueueKeys.member(sub: sub.id, event: "evt_2")).string != nil)
        #expect(try await Self.on(lab) { $0.dead(sub.id, $1) }.get().map(\.eventID) == ["evt_1"])
        #expect(try await Self.on(lab) { $0.replay(sub.id, eventID: nil, $1) }.get() == 1)
        #expect(try await lab.cmd("XLEN", WebhookQueueKeys.dead).integer == 1, "the other subscription's letter stays")
        #expect(try await Self.on(lab) { $0.replay(sub.id, eventID: nil, $1) }.get() == 0)
        #expect(await Self.on(lab) { $0.replay("wh_0000", eventID: nil, $1) }.failureStatus == 404)
        #expect(await Self.on(lab) { $0.dead("wh_0000", $1) }.failureStatus == 404)
        // The replayed delivery is claimable by the queue as a new one.
        let claimed: Result<[ClaimedDelivery], RedisError> = await lab.on(lab.queue("n1")) { q, done in q.claim(limit: 10) { done($0) } }
        #expect(try claimed.get().map(\.eventID).sorted() == ["evt_1", "evt_2"])
        await lab.stop()
    }
}

extension WebhookStoreTests {
    /// Stored events (in the event stream, never dead): `from` takes every event since then that the
    /// filter takes, in pages; a named event is taken from the stream when it is not among the dead,
    /// whatever the filter; one already pending is not made twice; a missing one is 0.
    @Test func replayOfStoredEventsFromATimeOrByID() async throws {
        let lab = try await Lab.start()
        let sub = try await Self.create(lab)  // takes client_webinar_entered only
        func add(_ ms: Int64, _ event: String, _ hook: String) async throws {
            _ = try await lab.cmd("XADD", "wg:events", "\(ms)-0", "event_id", event, "hook", hook, "payload", "{\"n\":\"\(event)\"}",
                                  "emitted_at", WallClock.iso(millis: ms))
        }
        for i in 0..<25 { try await add(1_000 + Int64(i), "evt_e\(i)", "client_webinar_entered") }
        try await add(2_000, "evt_left", "client_webinar_left")
        try await add(3_000, "evt_late", "client_webinar_entered")
        func replay(event: String? = nil, from: Int64? = nil, page: Int = 7) async -> Result<Int, Problem> {
            let loop = lab.group.loops[0], client = lab.client
            return await withCheckedContinuation { c in
                loop.execute {
                    var store = WebhookStore(connection: client.connection(on: loop))
                    store.streamPageEntries = page
                    store.replay(sub.id, eventID: event, fromMillis: from) { c.resume(returning: $0) }
                }
            }
        }
        #expect(try await replay(from: 1_010).get() == 16, "evt_e10...evt_e24 and evt_late; evt_left is not in the filter")
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.due).integer == 16)
        #expect(try await lab.cmd("ZCARD", WebhookQueueKeys.created).integer == 16)
        let body = try await lab.cmd("HGET", WebhookQueueKeys.delivery(sub: sub.id, event: "evt_late"), "body").string ?? ""
        #expect(body == "{\"type\":\"client_webinar_entered\",\"timestamp\":\"1970-01-01T00:00:03.000Z\",\"data\":{\"n\":\"evt_late\"}}")
        #expect(try await replay(from: 1_010).get() == 0, "pending ones are not made twice")
        #expect(try await replay(event: "evt_left").get() == 1, "named: sent whatever the filter")
        #expect(try await replay(event: "evt_e3", page: 2).get() == 1, "found paging back from the newest")
        #expect(try await replay(event: "evt_nowhere").get() == 0)
        #expect(try await replay(event: "evt_e1", from: 1_005).get() == 0, "named and before from: not taken")
        #expect(try await replay(from: 9_000).get() == 0)
        #expect(try await replay(from: 0).get() == 9, "evt_e0...evt_e9 but evt_e3 (pending since its replay by id)")
        #expect(await Self.on(lab) { $0.replay("wh_0000", eventID: nil, fromMillis: 0, $1) }.failureStatus == 404)
        await lab.stop()
    }

    /// A subscriber of the change channel, touched on the lab's loop only.
    final class Notices: @unchecked Sendable {
        // @unchecked: `subscriber` lives on the loop; `seen` is guarded by its Mutex.
        var subscriber: RedisSubscriber?
        let seen = Mutex<[String]>([])
    }

    @Test func everyChangePublishesTheIdOnTheChangeChannel() async throws {
        let lab = try await Lab.start()
        let loop = lab.group.loops[0], address = lab.redis.address, notices = Notices()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            loop.execute {
                let s = RedisSubscriber(address: address, loop: loop)
                notices.subscriber = s
                s.start()
                s.subscribe(WebhookQueueKeys.changed, confirmed: { c.resume() }) { payload in
                    notices.seen.withLock { $0.append(String(decoding: payload, as: UTF8.self)) }
                }
            }
        }
        let sub = try await Self.create(lab)
        _ = try await Self.on(lab) { $0.setEnabled(sub.id, false, $1) }.get()
        _ = try await Self.on(lab) { $0.rotateSecret(sub.id, $1) }.get()
        _ = try await Self.on(lab) { $0.delete(sub.id, $1) }.get()
        #expect(await eventually { notices.seen.withLock { $0 } == [sub.id, sub.id, sub.id, sub.id] })
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            loop.execute { notices.subscriber?.close(); c.resume() }
        }
        await lab.stop()
    }
}

extension Result {
    /// The status of a failed store call's Problem, nil on success.
    var failureStatus: Int? {
        if case .failure(let e) = self { return (e as? Problem)?.status ?? -1 }
        return nil
    }
}
