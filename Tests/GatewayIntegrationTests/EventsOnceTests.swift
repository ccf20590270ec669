// "Once per session" under concurrency (contract §4): 200 identical facts for one session, sent at
// the same time over 200 sockets split over two nodes, emit exactly one event; the other 199 answers
// are pure repeats. `left` and `completed` are independent facts (neither suppresses the other).
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct Once {
        /// Opens `count` connections (alternating nodes), then sends the same fact on all of them
        /// back to back, then reads every answer.
        static func burst(_ h: NodeHarness, count: Int = 200, _ webinar: String, _ session: String, body: String,
                          token: String) throws -> [TestResponse] {
            var clients: [TestClient] = []
            for i in 0..<count { clients.append(try TestClient(port: h.port(i % h.nodes.count), timeoutSeconds: 10)) }
            let request = EventsHTTP.factRequest(webinar, session, body: body, token: token)
            for c in clients { c.send(request) }
            return try clients.map { try $0.readResponse() }
        }

        /// Exactly one answer emitted `hooks`, every other one is `{"emitted":[],"duplicate":true}`.
        static func checkOnce(_ answers: [TestResponse], _ hooks: [String], _ what: String) {
            let first = answers.filter { $0.isFact(hooks, duplicate: false) }.count
            let repeats = answers.filter { $0.isFact([], duplicate: true) && $0.text == "{\"emitted\":[],\"duplicate\":true}" }.count
            let other = answers.filter { !$0.isFact(hooks, duplicate: false) && !$0.isFact([], duplicate: true) }.prefix(3).map { "\($0.status) \($0.text)" }
            #expect(first == 1, "\(what): \(first) answers emitted \(hooks)")
            #expect(repeats == answers.count - 1, "\(what): \(repeats) pure repeats; others: \(other)")
        }

        @Test func twoHundredConcurrentFactsEmitOncePerSession() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let w = "w-once"

            // Session s1: entered, then left, then completed (each a 200-socket burst).
            let t1 = EventsAuth.attendee(session: "s1", lead: "lead-1")
            Self.checkOnce(try Self.burst(h, w, "s1", body: "{\"type\":\"entered\"}", token: t1), ["client_webinar_entered"], "s1 entered")
            Self.checkOnce(try Self.burst(h, w, "s1", body: "{\"type\":\"left\",\"leave_reason\":\"tab_closed\"}", token: t1),
                           ["client_webinar_left"], "s1 left")
            Self.checkOnce(try Self.burst(h, w, "s1", body: "{\"type\":\"completed\"}", token: t1),
                           ["client_webinar_completed", "webinar_completed"], "s1 completed after left")

            // Session s2: completed first, then left — completed does not suppress left.
            let t2 = EventsAuth.attendee(session: "s2", lead: "lead-2")
            Self.checkOnce(try Self.burst(h, w, "s2", body: "{\"type\":\"completed\"}", token: t2),
                           ["client_webinar_completed", "webinar_completed"], "s2 completed")
            Self.checkOnce(try Self.burst(h, w, "s2", body: "{\"type\":\"left\",\"leave_reason\":\"done\"}", token: t2),
                           ["client_webinar_left"], "s2 left after completed")

            // The stream: exactly one of each per session (s2 never entered).
            let all = try db.entries().filter { $0.payloadString("webinar_id") == w }
            func count(_ hook: String, _ lead: String) -> Int { all.filter { $0.hook == hook && $0.payloadString("lead_id") == lead }.count }
            #expect(count("client_webinar_entered", "lead-1") == 1)
            #expect(count("client_webinar_left", "lead-1") == 1)
            #expect(count("client_webinar_completed", "lead-1") == 1)
            #expect(count("webinar_completed", "lead-1") == 1)
            #expect(count("client_webinar_entered", "lead-2") == 0)
            #expect(count("client_webinar_left", "lead-2") == 1)
            #expect(count("client_webinar_completed", "lead-2") == 1)
            #expect(count("webinar_completed", "lead-2") == 1)
            #expect(all.count == 7, "\(all.map(\.hook))")
            // left/completed carry their own session.
            #expect(all.filter { $0.hook == "client_webinar_left" }.compactMap { $0.payloadString("session_id") }.sorted() == ["s1", "s2"])

            // The session records (read through the state route on the other node): first value wins.
            let s1 = try RoomHTTP.state(h.port(1), w, token: t1).json["session"] as? [String: Any]
            #expect(s1?["entered_at"] is String && s1?["left_at"] is String && s1?["completed_at"] is String, "\(String(describing: s1))")
            let s2 = try RoomHTTP.state(h.port(0), w, token: t2).json["session"] as? [String: Any]
            #expect(s2?["entered_at"] is NSNull && s2?["left_at"] is String && s2?["completed_at"] is String, "\(String(describing: s2))")
        }

        /// `registered` is once per (webinar, lead), whatever the session; a system token names the lead in the body.
        @Test func registeredIsOncePerLeadAcrossSessions() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let w = "w-reg"
            let body = "{\"type\":\"registered\",\"slot_id\":\"slot-1\",\"source\":\"landing\",\"lead_id\":\"lead-r\"}"
            let answers = try Self.burst(h, count: 100, w, "sa", body: body, token: RoomAuth.system)
            Self.checkOnce(answers, ["client_webinar_registered"], "registered")
            // Another session of the same lead: still a repeat.
            let again = try EventsHTTP.fact(h.port(1), w, "sb", body: body, token: RoomAuth.system)
            #expect(again.isFact([], duplicate: true), "\(again.status) \(again.text)")
            // Another webinar: a new registration.
            let other = try EventsHTTP.fact(h.port(0), "w-reg2", "sa", body: body, token: RoomAuth.system)
            #expect(other.isFact(["client_webinar_registered"], duplicate: false), "\(other.status) \(other.text)")
            #expect(try db.entries(hook: "client_webinar_registered", "webinar_id", w).count == 1)
            #expect(try db.integer(["SISMEMBER", "wg:{w:\(w)}:leads", "lead-r"]) == 1, "a registered lead is in the attendance audience")
        }
    }
}
