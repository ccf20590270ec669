// Client facts through two real nodes and a real redis-server (contract §1, §3, §4): AutoWebinar
// progress, Idempotency-Key on form submissions, the role table for facts and Core hooks, Core hook
// dedup, and the wake of a session's parked polls by a fact.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct Facts {
        // MARK: progress

        @Test func progressEmitsEachValueOnceAndOnlyUpwards() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let a = "w-prog"
            let ta = EventsAuth.auto(session: "ps-1", lead: "lead-p", user: "user-p", ref: "ref-p")
            func progress(_ v: String, _ node: Int) throws -> TestResponse {
                try EventsHTTP.fact(h.port(node), a, "ps-1", body: "{\"type\":\"progress\",\"progress\":\(v)}", token: ta)
            }
            let emit = ["autowebinar_progress"]
            for (i, (v, expected)) in [("25", emit), ("50", emit), ("50", []), ("33", nil), ("25", []), ("100", emit), ("75", [])].enumerated() {
                let r = try progress(v, i % 2)
                if let expected {
                    #expect(r.isFact(expected, duplicate: expected.isEmpty), "progress \(v): \(r.status) \(r.text)")
                } else {
                    #expect(r.status == 422 && r.isProblem && r.text.contains("progress"), "progress \(v): \(r.status) \(r.text)")
                }
            }
            for bad in ["\"50\"", "0", "50.5", "-25", "null", "true"] {
                let r = try progress(bad, 0)
                #expect(r.status == 422 && r.isProblem, "progress \(bad): \(r.status) \(r.text)")
            }
            let missing = try EventsHTTP.fact(h.port(1), a, "ps-1", body: "{\"type\":\"progress\"}", token: ta)
            #expect(missing.status == 422 && missing.isProblem)
            let values = try db.entries(hook: "autowebinar_progress").compactMap { $0.payload?["progress"]?.number }
            #expect(values == [25, 50, 100])
            let session = try RoomHTTP.state(h.port(0), a, token: ta).json["session"] as? [String: Any]
            #expect(session?["progress"] as? Int == 100, "\(String(describing: session))")

            // cta_click: once per session.
            let c1 = try EventsHTTP.fact(h.port(0), a, "ps-1", body: "{\"type\":\"cta_click\"}", token: ta)
            let c2 = try EventsHTTP.fact(h.port(1), a, "ps-1", body: "{\"type\":\"cta_click\"}", token: ta)
            #expect(c1.isFact(["autowebinar_cta_click"], duplicate: false), "\(c1.text)")
            #expect(c2.isFact([], duplicate: true), "\(c2.text)")

            // A live webinar token: progress and cta_click are AutoWebinar only (422), nothing emitted.
            let before = try db.entries().count
            let live = EventsAuth.attendee(session: "ls-1", lead: "lead-l")
            for body in ["{\"type\":\"progress\",\"progress\":25}", "{\"type\":\"cta_click\"}"] {
                let r = try EventsHTTP.fact(h.port(0), "w-live", "ls-1", body: body, token: live)
                #expect(r.status == 422 && r.isProblem, "\(body): \(r.status) \(r.text)")
            }
            // An auto token without user_id/ref_id claims cannot emit AutoWebinar events.
            let noUser = EventsAuth.token(.attendee, session: "ps-2", lead: "lead-p2", type: .auto)
            let r = try EventsHTTP.fact(h.port(1), a, "ps-2", body: "{\"type\":\"progress\",\"progress\":25}", token: noUser)
            #expect(r.status == 422 && r.isProblem && r.text.contains("user_id"), "\(r.status) \(r.text)")
            #expect(try db.entries().count == before)
        }

        // MARK: Idempotency-Key

        @Test func idempotencyKeyDedupsFormRetries() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let w = "w-form"
            let t = EventsAuth.attendee(session: "fs-1", lead: "lead-f")
            let body = "{\"type\":\"form_submitted\",\"form_id\":\"form-1\",\"form_payload\":{\"answer\":42}}"
            let key = [("Idempotency-Key", "retry-abc-123")]
            let first = try EventsHTTP.fact(h.port(0), w, "fs-1", body: body, token: t, extra: key)
            let retry = try EventsHTTP.fact(h.port(1), w, "fs-1", body: body, token: t, extra: key)
            #expect(first.isFact(["client_webinar_form_submitted"], duplicate: false), "\(first.status) \(first.text)")
            #expect(retry.status == first.status && retry.text == first.text, "retry answered \(retry.status) \(retry.text)")
            #expect(try db.entries(hook: "client_webinar_form_submitted").count == 1)

            // Without a key every submission is an event.
            for node in [0, 1] {
                let r = try EventsHTTP.fact(h.port(node), w, "fs-1", body: body, token: t)
                #expect(r.isFact(["client_webinar_form_submitted"], duplicate: false), "\(r.status) \(r.text)")
            }
            // Another key: a new event.
            let other = try EventsHTTP.fact(h.port(0), w, "fs-1", body: body, token: t, extra: [("Idempotency-Key", "retry-xyz")])
            #expect(other.isFact(["client_webinar_form_submitted"], duplicate: false), "\(other.text)")
            let forms = try db.entries(hook: "client_webinar_form_submitted")
            #expect(forms.count == 4)
            #expect(Set(forms.map(\.eventID)).count == 4)

            // A bad key: 400 problem, nothing emitted.
            for bad in [String(repeating: "k", count: 200), String(repeating: "k", count: 129), "has space"] {
                let r = try EventsHTTP.fact(h.port(1), w, "fs-1", body: body, token: t, extra: [("Idempotency-Key", bad)])
                #expect(r.status == 400 && r.isProblem && r.text.contains("Idempotency-Key"), "\(bad.prefix(20)): \(r.status) \(r.text)")
            }
            let max = try EventsHTTP.fact(h.port(0), w, "fs-1", body: body, token: t, extra: [("Idempotency-Key", String(repeating: "k", count: 128))])
            #expect(max.isFact(["client_webinar_form_submitted"], duplicate: false), "128-character key: \(max.status) \(max.text)")
            #expect(try db.entries(hook: "client_webinar_form_submitted").count == 5)
        }

        // MARK: roles

        @Test func rolesForFacts() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let w = "w-roles"
            let entered = "{\"type\":\"entered\"}"
            let forbidden: [(String, String)] = [
                ("guest", EventsAuth.token(.guest, sub: "g-1", session: "rs-1", lead: "lead-g")),
                ("organizer", EventsAuth.token(.organizer, sub: "o-1", session: "rs-1", lead: "lead-o")),
                ("speaker", EventsAuth.token(.speaker, sub: "sp-1", session: "rs-1", lead: "lead-s")),
                ("moderator", EventsAuth.token(.moderator, sub: "m-1", session: "rs-1", lead: "lead-m")),
                ("attendee of another session", EventsAuth.attendee(session: "rs-2", lead: "lead-2")),
                ("attendee without session_id", EventsAuth.attendee(session: nil, lead: "lead-3")),
                ("attendee scoped to another webinar", EventsAuth.token(.attendee, webinar: "w-other", session: "rs-1", lead: "lead-4")),
            ]
            for (i, (who, token)) in forbidden.enumerated() {
                let r = try EventsHTTP.fact(h.port(i % 2), w, "rs-1", body: entered, token: token)
                #expect(r.status == 403 && r.isProblem, "\(who): \(r.status) \(r.text)")
            }
            let anon = try EventsHTTP.fact(h.port(0), w, "rs-1", body: entered, token: nil)
            #expect(anon.status == 401 && anon.header("www-authenticate") != nil, "no token: \(anon.status)")
            #expect(try db.entries().isEmpty, "a refused fact emitted something")

            // The attendee for its own session, and system for any session (lead in the body).
            let own = try EventsHTTP.fact(h.port(1), w, "rs-1", body: entered, token: EventsAuth.attendee(session: "rs-1", lead: "lead-1"))
            #expect(own.isFact(["client_webinar_entered"], duplicate: false), "\(own.status) \(own.text)")
            for (i, s) in ["rs-7", "rs-8"].enumerated() {
                let r = try EventsHTTP.fact(h.port(i), w, s, body: "{\"type\":\"entered\",\"lead_id\":\"lead-\(s)\"}", token: RoomAuth.system)
                #expect(r.isFact(["client_webinar_entered"], duplicate: false), "system \(s): \(r.status) \(r.text)")
            }
            // System without a lead anywhere: 422 naming lead_id.
            let noLead = try EventsHTTP.fact(h.port(0), w, "rs-9", body: entered, token: RoomAuth.system)
            #expect(noLead.status == 422 && noLead.text.contains("lead_id"), "\(noLead.status) \(noLead.text)")
            // An attendee cannot pick another lead through the body: the token's lead wins.
            let spoof = try EventsHTTP.fact(h.port(1), w, "rs-10", body: "{\"type\":\"entered\",\"lead_id\":\"lead-victim\"}",
                                            token: EventsAuth.attendee(session: "rs-10", lead: "lead-10"))
            #expect(spoof.isFact(["client_webinar_entered"], duplicate: false))
            let leads = try db.entries(hook: "client_webinar_entered").compactMap { $0.payloadString("lead_id") }.sorted()
            #expect(leads == ["lead-1", "lead-10", "lead-rs-7", "lead-rs-8"])
            // Bad input changes nothing.
            for body in ["{\"type\":\"danced\"}", "{}", "not json", "{\"type\":\"left\"}", "{\"type\":\"registered\",\"slot_id\":\"a b\",\"source\":\"x\"}",
                         "{\"type\":\"form_submitted\",\"form_id\":\"f\",\"form_payload\":[1]}"] {
                let r = try EventsHTTP.fact(h.port(0), w, "rs-1", body: body, token: EventsAuth.attendee(session: "rs-1", lead: "lead-1"))
                #expect(r.status == 422 && r.isProblem, "\(body): \(r.status) \(r.text)")
            }
            #expect(try db.entries().count == 4)
        }

        @Test func coreHooksAreSystemOnlyAndDedupByEventID() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            for hook in ["core_user_registered", "core_user_login", "core_ref_context_resolved"] {
                for (who, token) in [("organizer", RoomAuth.organizer), ("attendee", EventsAuth.attendee(session: "s", lead: "l")),
                                     ("guest", RoomAuth.token(.guest, sub: "g")), ("speaker", RoomAuth.token(.speaker, sub: "sp"))] {
                    let r = try EventsHTTP.core(h.port(0), hook, event: "e-\(who)", user: "u-1", ref: "r-1", token: token)
                    #expect(r.status == 403 && r.isProblem, "\(hook) by \(who): \(r.status) \(r.text)")
                }
            }
            #expect(try db.entries().isEmpty)

            // Bad timestamps: 422 naming the field, and the event id is not used up.
            for ts in ["2026-11-29 10:15:30", "2026-11-29T10:15:30+03:00", "2026-13-01T00:00:00Z", "2026-02-30T10:00:00Z",
                       "2026-04-31T10:00:00Z", "2025-02-29T10:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T10:15:30.Z", "yesterday", ""] {
                let r = try EventsHTTP.core(h.port(1), "core_user_registered", event: "e-1", user: "u-1", ref: "r-1", timestamp: ts)
                #expect(r.status == 422 && r.isProblem && r.text.contains("timestamp"), "\(ts): \(r.status) \(r.text)")
            }
            // Valid edge dates are accepted (checked with fresh event ids, nothing else depends on them).
            for (i, ts) in ["2024-02-29T23:59:59Z", "2026-12-31T00:00:00.5Z", "2026-11-29T10:15:30.123456789Z"].enumerated() {
                let r = try EventsHTTP.core(h.port(0), "core_user_login", event: "e-ok-\(i)", user: "u-ok", ref: "r-ok", timestamp: ts)
                #expect(r.status == 200, "\(ts): \(r.status) \(r.text)")
            }
            let numeric = try RoomHTTP.hook(h.port(0), "core_user_registered",
                                            body: "{\"event_id\":\"e-1\",\"user_id\":\"u-1\",\"ref_id\":\"r-1\",\"timestamp\":1764411330}", token: RoomAuth.system)
            #expect(numeric.status == 422, "numeric timestamp: \(numeric.status)")
            let missing = try RoomHTTP.hook(h.port(0), "core_user_login", body: "{\"event_id\":\"e-1\",\"user_id\":\"u-1\",\"timestamp\":\"2026-11-29T10:15:30Z\"}",
                                            token: RoomAuth.system)
            #expect(missing.status == 422 && missing.text.contains("ref_id"), "missing ref_id: \(missing.status) \(missing.text)")
            #expect(try db.entries().isEmpty)

            // The first registered for (u-1, r-1) creates the session: one autowebinar_session_created.
            let first = try EventsHTTP.core(h.port(0), "core_user_registered", event: "e-1", user: "u-1", ref: "r-1")
            #expect(first.status == 200 && first.emitted == ["autowebinar_session_created"] && first.duplicate == false, "\(first.text)")
            // The same event id again (other node): a duplicate.
            let again = try EventsHTTP.core(h.port(1), "core_user_registered", event: "e-1", user: "u-1", ref: "r-1")
            #expect(again.status == 200 && again.emitted == [] && again.duplicate == true, "\(again.text)")
            // A later ref_context_resolved / registered / login for the same pair with new ids: nothing emitted.
            for (hook, id) in [("core_ref_context_resolved", "e-2"), ("core_user_registered", "e-3"), ("core_user_login", "e-4")] {
                let r = try EventsHTTP.core(h.port(1), hook, event: id, user: "u-1", ref: "r-1")
                #expect(r.status == 200 && r.emitted == [] && r.duplicate == false, "\(hook) \(id): \(r.text)")
            }
            let dupLogin = try EventsHTTP.core(h.port(0), "core_user_login", event: "e-4", user: "u-1", ref: "r-1")
            #expect(dupLogin.status == 200 && dupLogin.duplicate == true, "\(dupLogin.text)")
            // ref_context_resolved first for another pair also creates it; another ref of the same user too.
            let viaRef = try EventsHTTP.core(h.port(0), "core_ref_context_resolved", event: "e-5", user: "u-2", ref: "r-1")
            #expect(viaRef.emitted == ["autowebinar_session_created"], "\(viaRef.text)")
            let otherRef = try EventsHTTP.core(h.port(1), "core_user_registered", event: "e-6", user: "u-1", ref: "r-2")
            #expect(otherRef.emitted == ["autowebinar_session_created"], "\(otherRef.text)")
            // A login before any registration records the login, emits nothing; the later registration still creates.
            let login = try EventsHTTP.core(h.port(0), "core_user_login", event: "e-7", user: "u-3", ref: "r-3")
            #expect(login.status == 200 && login.emitted == [], "\(login.text)")
            let late = try EventsHTTP.core(h.port(1), "core_user_registered", event: "e-8", user: "u-3", ref: "r-3")
            #expect(late.emitted == ["autowebinar_session_created"], "\(late.text)")

            let created = try db.entries(hook: "autowebinar_session_created")
            let pairs = created.compactMap { e -> String? in
                guard let u = e.payloadString("user_id"), let r = e.payloadString("ref_id") else { return nil }
                return u + "/" + r
            }.sorted()
            #expect(pairs == ["u-1/r-1", "u-1/r-2", "u-2/r-1", "u-3/r-3"])
            #expect(try db.entries().count == 4)

            // Concurrent duplicates of one new event id over both nodes: one creation.
            var clients: [TestClient] = []
            let body = "{\"event_id\":\"e-burst\",\"user_id\":\"u-9\",\"ref_id\":\"r-9\",\"timestamp\":\"2026-11-29T10:15:30Z\"}"
            for i in 0..<50 { clients.append(try TestClient(port: h.port(i % 2), timeoutSeconds: 10)) }
            let request = RoomHTTP.raw(method: "POST", "/v1/hooks/core_user_registered",
                                       headers: [("Authorization", "Bearer \(RoomAuth.system)"), ("Content-Type", "application/json")], body: body)
            for c in clients { c.send(request) }
            let answers = try clients.map { try $0.readResponse() }
            #expect(answers.filter { $0.status == 200 && $0.emitted == ["autowebinar_session_created"] && $0.duplicate == false }.count == 1)
            #expect(answers.filter { $0.status == 200 && $0.emitted == [] && $0.duplicate == true }.count == 49)
            #expect(try db.entries(hook: "autowebinar_session_created", "user_id", "u-9").count == 1)
        }

        // MARK: wake

        @Test func aFactWakesTheSessionsParkedPolls() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let w = "w-wake"
            let t = EventsAuth.attendee(session: "s1", lead: "lead-w")
            let other = EventsAuth.attendee(session: "s2", lead: "lead-x")
            let first = try RoomHTTP.state(h.port(0), w, token: t)
            let e0 = try #require(first.header("etag"))
            #expect((first.json["session"] as Any) is NSNull, "no record yet: \(first.text)")
            let e2 = try #require(try RoomHTTP.state(h.port(1), w, token: other).header("etag"))

            // s1 parked on node 0 and node 1; s2 parked on node 0 (a fact for s1 must not wake it).
            let p0 = try TestClient(port: h.port(0), timeoutSeconds: 10)
            p0.send(RoomHTTP.stateRequest(w, token: t, etag: e0, wait: "30"))
            let p1 = try TestClient(port: h.port(1), timeoutSeconds: 10)
            p1.send(RoomHTTP.stateRequest(w, token: t, etag: e0, wait: "30"))
            let q = try TestClient(port: h.port(0), timeoutSeconds: 10)
            q.send(RoomHTTP.stateRequest(w, token: other, etag: e2, wait: "30"))
            try #require(eventually { h.parked(0) == 2 && h.parked(1) == 1 }, "parked: \(h.parked(0)) \(h.parked(1))")

            let fact = try EventsHTTP.fact(h.port(1), w, "s1", body: "{\"type\":\"entered\"}", token: t)
            #expect(fact.isFact(["client_webinar_entered"], duplicate: false), "\(fact.status) \(fact.text)")
            let woken = eventually { h.parked(0) == 1 && h.parked(1) == 0 }
            #expect(woken, "parked after the fact: \(h.parked(0)) \(h.parked(1))")
            try #require(woken)
            for c in [p0, p1] {
                let r = try c.readResponse()
                let session = r.json["session"] as? [String: Any]
                #expect(r.status == 200, "\(r.status) \(r.text)")
                #expect(r.header("etag") != nil && r.header("etag") != e0)
                #expect(session?["session_id"] as? String == "s1")
                #expect((session?["entered_at"] as? String).flatMap(ISOCheck.date) != nil, "\(r.text)")
                #expect(session?["left_at"] is NSNull)
                // What the poll answered is the current state.
                let fresh = try RoomHTTP.state(h.port(0), w, token: t)
                #expect(fresh.header("etag") == r.header("etag") && fresh.body == r.body)
            }
            // A repeat of the fact changes nothing: a poll on the new ETag stays parked.
            let e1 = try #require(try RoomHTTP.state(h.port(1), w, token: t).header("etag"))
            p0.send(RoomHTTP.stateRequest(w, token: t, etag: e1, wait: "30"))
            try #require(eventually { h.parked(0) == 2 })
            let dup = try EventsHTTP.fact(h.port(0), w, "s1", body: "{\"type\":\"entered\"}", token: t)
            #expect(dup.isFact([], duplicate: true))
            #expect(h.parked(0) == 2, "s1's re-poll and s2's poll still parked")
            // left wakes it again; s2 still parked throughout.
            let left = try EventsHTTP.fact(h.port(1), w, "s1", body: "{\"type\":\"left\",\"leave_reason\":\"x\"}", token: t)
            #expect(left.isFact(["client_webinar_left"], duplicate: false))
            let r = try p0.readResponse()
            #expect(r.status == 200 && ((r.json["session"] as? [String: Any])?["left_at"] as? String) != nil, "\(r.status) \(r.text)")
            #expect(h.parked(0) == 1, "s2's poll was not woken by s1's facts")
        }
    }
}
