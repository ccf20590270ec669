// The key inventory (issue 16 item 6): a full scenario across the routes on a real node and a real
// redis-server — room hooks (status, CTA), live facts (registered, entered, left, completed,
// form_submitted with an Idempotency-Key, replayed), an AutoWebinar session (Core hooks and its facts),
// a live webinar ended and another archived so the attendance batch runs, throttled state reads, a
// webhook subscription whose deliveries fail into the dead letters — then SCAN every key: each must
// carry a TTL (PTTL > 0) or be one of `PermanentKeys` (the one list, also in docs/operations.md).
// A key family with a TTL must carry the setting configured for it (distinct values here).
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway
import HTTPServer
import Throttle

extension EventsTests {
    @Suite struct KeyInventory {
        /// Distinct lifetimes, seconds, so each family's TTL shows which setting it came from.
        static let room = 3 * 86_400, once = 5 * 86_400, idem = 2 * 3_600, auto = 4 * 86_400, doneJob = 6 * 3_600

        /// The families that carry a TTL: a pattern (regular expression) and the longest TTL allowed, ms.
        static let ttlFamilies: [(name: String, pattern: String, maxMillis: Int)] = [
            ("room", #"^wg:\{w:[^}]+\}:room$"#, room * 1000),
            ("session", #"^wg:\{w:[^}]+\}:s:.+$"#, room * 1000),
            ("leads", #"^wg:\{w:[^}]+\}:leads$"#, room * 1000),
            ("entered", #"^wg:\{w:[^}]+\}:entered$"#, room * 1000),
            ("once-mark", #"^wg:\{w:[^}]+\}:once:.+$"#, once * 1000),
            ("idempotency", #"^wg:\{w:[^}]+\}:idem:.+$"#, idem * 1000),
            ("attendance job (done)", #"^wg:\{w:[^}]+\}:attendance:job$"#, doneJob * 1000),
            ("attendance lease", #"^wg:\{w:[^}]+\}:attendance:lease$"#, 3_000),
            ("core event mark", #"^wg:core:evt:.+$"#, once * 1000),
            ("autowebinar record", #"^wg:aw:\{u:[^}]+\}:.+$"#, auto * 1000),
            ("throttle bucket", #"^wg:tb:(state|events|hooks):[us]:.+$"#, ThrottleScripts.maxTTLMillis),
        ]

        static func ttlFamily(of key: String) -> (name: String, pattern: String, maxMillis: Int)? {
            ttlFamilies.first { key.range(of: $0.pattern, options: .regularExpression) != nil }
        }

        /// Every key in the database with its PTTL (SCAN, then one PTTL each).
        static func inventory(_ db: EventsRedis) throws -> [(key: String, pttl: Int)] {
            var out: [(String, Int)] = []
            var cursor = "0"
            repeat {
                let reply = try db.command(["SCAN", cursor, "COUNT", "1000"])
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string else { throw HarnessError.badReply("SCAN") }
                for k in parts[1].array ?? [] {
                    guard let key = k.string else { continue }
                    out.append((key, try db.integer(["PTTL", key])))
                }
                cursor = next
            } while cursor != "0"
            return out
        }

        /// What the test refuses: a key with no TTL that is not a permanent one (PTTL -2 = gone meanwhile).
        static func offenders(_ keys: [(key: String, pttl: Int)]) -> [String] {
            keys.filter { $0.pttl == -1 && PermanentKeys.family(of: $0.key) == nil }.map(\.key)
        }

        @Test func everyKeyAFullScenarioLeavesHasATTLOrIsAListedPermanentKey() throws {
            let c = try EventsCluster(nodes: 1) { config in
                config.events.roomTTLSeconds = Self.room
                config.events.onceMarkTTLSeconds = Self.once
                config.events.idempotencyTTLSeconds = Self.idem
                config.events.autoSessionTTLSeconds = Self.auto
                config.attendance.doneJobTTLSeconds = Self.doneJob
                config.attendance.pollSeconds = 0.05
                config.webhook.allowPrivate = true
                config.webhook.settings.retryScheduleMillis = [0, 20]
            }
            defer { c.stop() }
            let db = try EventsRedis(url: c.redis.url)
            defer { db.close() }
            let port = c.port(0)
            let system = [("Authorization", "Bearer \(RoomAuth.system)"), ("Content-Type", "application/json")]

            // Admin: a webhook subscription to a closed port (every delivery fails, then goes dead) and
            // tighter state limits (so the reads below are throttled).
            let sub = try RoomHTTP.send(port, method: "POST", "/v1/admin/webhooks", headers: system,
                                        body: "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"*\"],\"description\":\"inventory\"}")
            try #require(sub.status == 201, "\(sub.status) \(sub.text)")
            let limits = try RoomHTTP.send(port, method: "PUT", "/v1/admin/throttle", headers: system,
                                           body: "{\"state\":{\"rate\":1,\"burst\":2,\"mode\":\"enforce\"}}")
            try #require(limits.status == 200, "\(limits.status) \(limits.text)")
            try #require(eventually(seconds: 3) { c.node(0).throttle.limits.classes[.state]?.burst == 2 })

            // Room hooks and live facts.
            let w = "w-inv"
            #expect(try RoomHTTP.status(port, w, "start").status == 200)
            #expect(try RoomHTTP.cta(port, w, true).status == 200)
            #expect(try RoomHTTP.cta(port, w, false).status == 200)
            let t1 = EventsAuth.attendee(session: "inv-s1", lead: "inv-l1", sub: "inv-u1")
            for body in ["{\"type\":\"registered\",\"slot_id\":\"slot\",\"source\":\"web\"}", "{\"type\":\"entered\"}",
                         "{\"type\":\"left\",\"leave_reason\":\"done\"}", "{\"type\":\"completed\"}"] {
                let r = try EventsHTTP.fact(port, w, "inv-s1", body: body, token: t1)
                #expect(r.status == 200 && r.duplicate == false, "\(body): \(r.status) \(r.text)")
            }
            let form = "{\"type\":\"form_submitted\",\"form_id\":\"f1\",\"form_payload\":{\"a\":1}}"
            for _ in 0..<2 {
                let r = try EventsHTTP.fact(port, w, "inv-s1", body: form, token: t1, extra: [("Idempotency-Key", "idem-1")])
                #expect(r.isFact(["client_webinar_form_submitted"], duplicate: false), "\(r.text)")
            }
            let t2 = EventsAuth.attendee(session: "inv-s2", lead: "inv-l2", sub: "inv-u2")
            #expect(try EventsHTTP.fact(port, w, "inv-s2", body: "{\"type\":\"registered\",\"slot_id\":\"slot\",\"source\":\"web\"}", token: t2).status == 200)

            // Throttled reads of the room state (burst 2).
            let reader = EventsAuth.attendee(session: "inv-s1", lead: "inv-l1", sub: "inv-reader")
            let reads = try (0..<4).map { _ in try RoomHTTP.state(port, w, token: reader).status }
            #expect(reads.contains(429) && reads.contains(200), "\(reads)")

            // AutoWebinar: Core hooks, then the session's facts (leaving classifies the lead).
            #expect(try EventsHTTP.core(port, "core_user_registered", event: "inv-e1", user: "inv-user", ref: "inv-ref").status == 200)
            #expect(try EventsHTTP.core(port, "core_user_login", event: "inv-e2", user: "inv-user", ref: "inv-ref").status == 200)
            let at = EventsAuth.auto(session: "inv-as", lead: "inv-al", user: "inv-user", ref: "inv-ref", sub: "inv-au")
            for body in ["{\"type\":\"entered\"}", "{\"type\":\"progress\",\"progress\":25}", "{\"type\":\"cta_click\"}",
                         "{\"type\":\"left\",\"leave_reason\":\"done\"}"] {
                let r = try EventsHTTP.fact(port, "w-auto", "inv-as", body: body, token: at)
                #expect(r.status == 200 && r.duplicate == false, "\(body): \(r.status) \(r.text)")
            }

            // End one live webinar, archive another: both attendance batches run to done.
            #expect(try RoomHTTP.status(port, w, "stop").status == 200)
            let ta = EventsAuth.attendee(session: "inv-s3", lead: "inv-l3", sub: "inv-u3")
            #expect(try RoomHTTP.status(port, "w-inv-arch", "start").status == 200)
            #expect(try EventsHTTP.fact(port, "w-inv-arch", "inv-s3", body: "{\"type\":\"entered\"}", token: ta).status == 200)
            #expect(try RoomHTTP.status(port, "w-inv-arch", "archive").status == 200)
            for room in [w, "w-inv-arch"] {
                let done = eventually(seconds: 10) { (try? db.string(["HGET", "wg:{w:\(room)}:attendance:job", "state"])) == "done" }
                #expect(done, "the attendance batch of \(room) did not finish")
            }
            #expect(try db.entries(hook: "post_webinar_route").count == 4, "inv-l1, inv-l2, inv-al, inv-l3 classified once each")
            // Webhook deliveries: some fail for good (the dead letters exist).
            #expect(eventually(seconds: 10) { ((try? db.integer(["XLEN", WebhookQueueKeys.dead])) ?? 0) > 0 }, "no dead letter yet")

            // The inventory.
            let keys = try Self.inventory(db)
            #expect(Self.offenders(keys).isEmpty, "keys without a TTL that PermanentKeys does not list: \(Self.offenders(keys))")
            var seen = Set<String>()
            for (key, pttl) in keys where pttl > 0 {
                guard let f = Self.ttlFamily(of: key) else { continue }
                seen.insert(f.name)
                #expect(pttl <= f.maxMillis && pttl > f.maxMillis - 120_000 || f.name == "throttle bucket" || f.name == "attendance lease",
                        "\(key): PTTL \(pttl) ms, expected just under \(f.maxMillis) ms (\(f.name))")
            }
            let permanentSeen = Set(keys.compactMap { PermanentKeys.family(of: $0.key)?.pattern })
            let expectedTTL: Set<String> = ["room", "session", "leads", "entered", "once-mark", "idempotency", "attendance job (done)",
                                            "core event mark", "autowebinar record", "throttle bucket"]
            #expect(seen.isSuperset(of: expectedTTL), "the scenario left no key of \(expectedTTL.subtracting(seen))")
            let expectedPermanent: Set<String> = [EventKeys.stream, ThrottleKeys.limits, WebhookQueueKeys.ids,
                                                  WebhookQueueKeys.subscriptionPrefix + "*", WebhookQueueKeys.dead]
            #expect(permanentSeen.isSuperset(of: expectedPermanent), "permanent keys seen: \(permanentSeen)")
            let names = keys.map(\.key).sorted()
            print("key inventory: \(names.count) keys; with a TTL: \(seen.sorted()); permanent: \(permanentSeen.sorted())")

            // The check itself: a stray key without a TTL is caught.
            _ = try db.command(["SET", "wg:stray", "1"])
            #expect(Self.offenders(try Self.inventory(db)) == ["wg:stray"])
        }

        /// docs/operations.md lists every permanent key family of `PermanentKeys`.
        @Test func theOperationsDocListsEveryPermanentKey() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let doc = try String(contentsOf: root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
            for f in PermanentKeys.families {
                #expect(doc.contains("`\(f.pattern)`"), "docs/operations.md does not list `\(f.pattern)`")
            }
        }
    }
}
