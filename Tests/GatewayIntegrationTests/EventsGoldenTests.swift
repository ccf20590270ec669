// Golden check of every hook the gateway emits (contract §4/§5, the canon's section 2): each stream
// entry has exactly event_id, hook, payload, emitted_at; each payload has exactly the canon's field
// set with the right JSON types and values; times are ISO-8601 UTC with Z; event ids are unique.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct Golden {
        enum Kind { case string, time, bool, number, object }

        /// The canon's payloads (seed 000_24c25225ff5623d2.txt, section 2), written out here.
        static let canon: [String: [String: Kind]] = {
            let completed: [String: Kind] = ["lead_id": .string, "webinar_id": .string, "webinar_type": .string, "session_id": .string, "completed_at": .time]
            let auto: [String: Kind] = ["event_id": .string, "user_id": .string, "ref_id": .string, "timestamp": .time]
            let classified: [String: Kind] = ["lead_id": .string, "webinar_id": .string, "attended": .bool, "timestamp": .time]
            var route = classified
            route["route"] = .string
            var progress = auto
            progress["progress"] = .number
            return [
                "client_webinar_registered": ["lead_id": .string, "webinar_id": .string, "webinar_type": .string, "slot_id": .string,
                                              "registered_at": .time, "source": .string],
                "client_webinar_entered": ["lead_id": .string, "webinar_id": .string, "timestamp": .time],
                "client_webinar_left": ["lead_id": .string, "webinar_id": .string, "webinar_type": .string, "session_id": .string,
                                        "left_at": .time, "leave_reason": .string],
                "client_webinar_completed": completed,
                "webinar_completed": completed,
                "client_webinar_form_submitted": ["lead_id": .string, "webinar_id": .string, "webinar_type": .string, "session_id": .string,
                                                  "submitted_at": .time, "form_id": .string, "form_payload": .object],
                "autowebinar_session_created": auto,
                "autowebinar_join": auto,
                "autowebinar_progress": progress,
                "autowebinar_cta_click": auto,
                "autowebinar_completed": auto,
                "client_webinar_attendance_classified": classified,
                "post_webinar_route": route,
            ]
        }()

        @Test func theTestsJSONReaderKeepsTypesApart() {
            let v = JSONValue.parse("{\"a\":true,\"b\":1,\"c\":\"x\",\"d\":{},\"e\":null}")?.object
            #expect(v?["a"] == .bool(true) && v?["b"] == .number(1) && v?["c"] == .string("x") && v?["d"] == .object([:]) && v?["e"] == .null)
        }

        @Test func everyHookMatchesTheCanon() throws {
            let h = try NodeHarness(nodes: 2, configure: { $0.attendance.pollSeconds = 0.1 })
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let t0 = Date().addingTimeInterval(-2)
            func ok(_ r: TestResponse, _ hooks: [String], _ what: String) {
                #expect(r.isFact(hooks, duplicate: false), "\(what): \(r.status) \(r.text)")
            }

            // A live webinar: lead-1 registers, enters, leaves, completes, submits a form; lead-2 only registers.
            let w = "w-gold"
            #expect(try RoomHTTP.status(h.port(0), w, "start").status == 200)
            let t1 = EventsAuth.attendee(session: "s-1", lead: "lead-1")
            ok(try EventsHTTP.fact(h.port(0), w, "s-1", body: "{\"type\":\"registered\",\"slot_id\":\"slot-9\",\"source\":\"email\"}", token: t1),
               ["client_webinar_registered"], "registered")
            ok(try EventsHTTP.fact(h.port(1), w, "s-1", body: "{\"type\":\"entered\"}", token: t1), ["client_webinar_entered"], "entered")
            // Text that needs escaping survives the payload round trip (JSON in a Lua plan in a stream field).
            let reason = "ушёл \"быстро\" \\ 😀 </script>"
            ok(try EventsHTTP.fact(h.port(0), w, "s-1", body: "{\"type\":\"left\",\"leave_reason\":\(JSONText.quoted(reason))}", token: t1),
               ["client_webinar_left"], "left")
            ok(try EventsHTTP.fact(h.port(1), w, "s-1", body: "{\"type\":\"completed\"}", token: t1),
               ["client_webinar_completed", "webinar_completed"], "completed")
            let form = "{\"q1\":\"yes\",\"score\":5,\"ratio\":-0.25,\"tags\":[\"a\",\"b\"],\"nested\":{\"ok\":true,\"none\":null},"
                + "\"text\":\"Привет \\\"мир\\\"\\n\\t\\u0001 😀\"}"
            ok(try EventsHTTP.fact(h.port(0), w, "s-1", body: "{\"type\":\"form_submitted\",\"form_id\":\"form-7\",\"form_payload\":\(form)}", token: t1),
               ["client_webinar_form_submitted"], "form")
            let t2 = EventsAuth.attendee(session: "s-2", lead: "lead-2")
            ok(try EventsHTTP.fact(h.port(1), w, "s-2", body: "{\"type\":\"registered\",\"slot_id\":\"slot-9\",\"source\":\"ads\"}", token: t2),
               ["client_webinar_registered"], "registered 2")
            // The webinar ends: the attendance batch (on the hub loops' manual clock) classifies both leads.
            #expect(try RoomHTTP.status(h.port(1), w, "stop").status == 200)
            let classified = RoomStateTests.RedisRestart.stepUntil(h) {
                ((try? db.entries(hook: "post_webinar_route", "webinar_id", w).count) ?? 0) >= 2
            }
            #expect(classified, "the attendance batch did not run")

            // AutoWebinar: Core creates the session; user-1 joins, reaches 25 %, clicks, completes; user-2 leaves unjoined.
            let a = "w-auto"
            let created = try EventsHTTP.core(h.port(0), "core_user_registered", event: "core-evt-1", user: "user-1", ref: "ref-1")
            #expect(created.status == 200 && created.emitted == ["autowebinar_session_created"], "\(created.status) \(created.text)")
            let ta = EventsAuth.auto(session: "as-1", lead: "lead-a", user: "user-1", ref: "ref-1")
            ok(try EventsHTTP.fact(h.port(1), a, "as-1", body: "{\"type\":\"entered\"}", token: ta), ["client_webinar_entered", "autowebinar_join"], "auto entered")
            ok(try EventsHTTP.fact(h.port(0), a, "as-1", body: "{\"type\":\"progress\",\"progress\":25}", token: ta), ["autowebinar_progress"], "progress")
            ok(try EventsHTTP.fact(h.port(1), a, "as-1", body: "{\"type\":\"cta_click\"}", token: ta), ["autowebinar_cta_click"], "cta")
            ok(try EventsHTTP.fact(h.port(0), a, "as-1", body: "{\"type\":\"completed\"}", token: ta),
               ["client_webinar_completed", "webinar_completed", "autowebinar_completed", "client_webinar_attendance_classified", "post_webinar_route"],
               "auto completed")
            let tb = EventsAuth.auto(session: "as-2", lead: "lead-b", user: "user-2", ref: "ref-1")
            ok(try EventsHTTP.fact(h.port(1), a, "as-2", body: "{\"type\":\"left\",\"leave_reason\":\"bored\"}", token: tb),
               ["client_webinar_left", "client_webinar_attendance_classified", "post_webinar_route"], "auto left unjoined")

            let all = try db.entries()
            let now = Date().addingTimeInterval(2)
            // Every hook the gateway emits is there.
            #expect(Set(all.map(\.hook)) == Set(Self.canon.keys), "missing: \(Set(Self.canon.keys).subtracting(all.map(\.hook)))")
            // Entry fields, payload field sets and types, times.
            for e in all {
                #expect(e.fields.map(\.0).sorted() == ["emitted_at", "event_id", "hook", "payload"], "\(e.hook): \(e.fields.map(\.0))")
                #expect(!e.eventID.isEmpty && Identifier.isValid(e.eventID), "\(e.hook): event_id \(e.eventID)")
                let emittedAt = e.field("emitted_at").flatMap(ISOCheck.date)
                #expect(emittedAt.map { $0 >= t0 && $0 <= now } == true, "\(e.hook): emitted_at \(e.field("emitted_at") ?? "-")")
                guard let spec = Self.canon[e.hook] else {
                    Issue.record("unexpected hook \(e.hook)")
                    continue
                }
                guard let p = e.payload else {
                    Issue.record("\(e.hook): payload is not a JSON object: \(e.field("payload") ?? "-")")
                    continue
                }
                #expect(Set(p.keys) == Set(spec.keys), "\(e.hook): fields \(p.keys.sorted()) vs canon \(spec.keys.sorted())")
                for (k, kind) in spec {
                    guard let v = p[k] else { continue }
                    switch kind {
                    case .string: #expect(v.string.map { !$0.isEmpty } == true, "\(e.hook).\(k) = \(v)")
                    case .time:
                        let d = v.string.flatMap(ISOCheck.date)
                        #expect(d.map { $0 >= t0 && $0 <= now } == true, "\(e.hook).\(k) = \(v)")
                    case .bool: #expect(v.bool != nil, "\(e.hook).\(k) = \(v)")
                    case .number: #expect(v.number != nil, "\(e.hook).\(k) = \(v)")
                    case .object: #expect(v.object != nil, "\(e.hook).\(k) = \(v)")
                    }
                }
                if e.hook.hasPrefix("autowebinar_") {
                    #expect(p["event_id"]?.string == e.eventID, "\(e.hook): payload event_id \(String(describing: p["event_id"])) vs entry \(e.eventID)")
                }
            }
            #expect(Set(all.map(\.eventID)).count == all.count, "event_id values are not unique")

            // Values.
            func one(_ hook: String, _ key: String, _ value: String) -> [String: JSONValue]? {
                let m = all.filter { $0.hook == hook && $0.payload?[key]?.string == value }
                #expect(m.count == 1, "\(hook) with \(key)=\(value): \(m.count)")
                return m.first?.payload
            }
            let reg = one("client_webinar_registered", "lead_id", "lead-1")
            #expect(reg?["webinar_id"] == .string(w) && reg?["webinar_type"] == .string("live") && reg?["slot_id"] == .string("slot-9")
                    && reg?["source"] == .string("email"))
            #expect(one("client_webinar_entered", "lead_id", "lead-1")?["webinar_id"] == .string(w))
            let left = one("client_webinar_left", "lead_id", "lead-1")
            #expect(left?["session_id"] == .string("s-1") && left?["leave_reason"] == .string(reason) && left?["webinar_type"] == .string("live"))
            #expect(one("client_webinar_completed", "lead_id", "lead-1")?["session_id"] == .string("s-1"))
            #expect(JSONValue.parse(form) != nil)
            let formEvent = one("client_webinar_form_submitted", "lead_id", "lead-1")
            #expect(formEvent?["form_id"] == .string("form-7") && formEvent?["form_payload"] == JSONValue.parse(form))
            for (lead, attended) in [("lead-1", true), ("lead-2", false)] {
                let c = one("client_webinar_attendance_classified", "lead_id", lead)
                #expect(c?["attended"] == .bool(attended) && c?["webinar_id"] == .string(w), "\(lead): \(String(describing: c))")
                let r = one("post_webinar_route", "lead_id", lead)
                #expect(r?["attended"] == .bool(attended) && r?["route"] == .string(attended ? "attended" : "not_attended"), "\(lead): \(String(describing: r))")
            }
            for (lead, attended) in [("lead-a", true), ("lead-b", false)] {
                let r = one("post_webinar_route", "lead_id", lead)
                #expect(r?["attended"] == .bool(attended) && r?["webinar_id"] == .string(a) && r?["route"] == .string(attended ? "attended" : "not_attended"),
                        "\(lead): \(String(describing: r))")
            }
            #expect(one("client_webinar_left", "lead_id", "lead-b")?["webinar_type"] == .string("auto"))
            #expect(one("autowebinar_progress", "user_id", "user-1")?["progress"] == .number(25))
            let session = one("autowebinar_session_created", "user_id", "user-1")
            #expect(session?["ref_id"] == .string("ref-1"))
            for hook in ["autowebinar_join", "autowebinar_cta_click", "autowebinar_completed"] {
                #expect(one(hook, "user_id", "user-1")?["ref_id"] == .string("ref-1"))
            }
        }
    }
}
