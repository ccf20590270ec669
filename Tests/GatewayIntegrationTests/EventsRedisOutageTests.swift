// A fact posted while Redis is down (contract §4, §8): 503 problem+json, nothing emitted; once Redis is
// back and the nodes have reconnected, the client's retry emits it exactly once and a further retry
// is a duplicate. Redis runs with an fsync'd append-only file here, so the store survives the SIGKILL
// and "not in the stream" and "exactly once" are checked against the data from before the outage.
// Real clock: the nodes' reconnect backoff has to run.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct RedisOutage {
        @Test func aFactDuringAnOutageIsRefusedAndItsRetryEmitsOnce() throws {
            let c = try EventsCluster(nodes: 2, redisArguments: ["--appendonly", "yes", "--appendfsync", "always"])
            defer { c.stop() }
            let db = try EventsRedis(url: c.redis.url)
            defer { db.close() }
            let w = "w-outage"
            let t = EventsAuth.attendee(session: "os-1", lead: "lead-o")
            // Before the outage: registered (kept in the append-only file).
            let reg = try EventsHTTP.fact(c.port(0), w, "os-1", body: "{\"type\":\"registered\",\"slot_id\":\"s\",\"source\":\"web\"}", token: t)
            try #require(reg.isFact(["client_webinar_registered"], duplicate: false), "\(reg.status) \(reg.text)")

            c.redis.kill()
            try #require(eventually(seconds: 5) { c.live.allSatisfy { !$0.isReady } }, "nodes noticed the outage")
            for node in [0, 1] {
                let r = try EventsHTTP.fact(c.port(node), w, "os-1", body: "{\"type\":\"entered\"}", token: t)
                #expect(r.status == 503 && r.isProblem, "node \(node): \(r.status) \(r.text)")
                #expect(r.header("retry-after") != nil)
                #expect(r.json["type"] is String && r.json["title"] is String, "\(r.text)")
            }

            try c.redis.restart()
            try #require(eventually(seconds: 10) { c.live.allSatisfy { $0.isReady } }, "nodes reconnected")
            let kept = try db.entries()
            #expect(kept.map(\.hook) == ["client_webinar_registered"], "the stream after the outage: \(kept.map(\.hook))")
            #expect(try db.integer(["EXISTS", "wg:{w:\(w)}:once:entered:os-1"]) == 0, "no once-mark from the refused fact")

            // The client's retry (the other node), then another retry.
            let retry = try EventsHTTP.fact(c.port(1), w, "os-1", body: "{\"type\":\"entered\"}", token: t)
            #expect(retry.isFact(["client_webinar_entered"], duplicate: false), "\(retry.status) \(retry.text)")
            let again = try EventsHTTP.fact(c.port(0), w, "os-1", body: "{\"type\":\"entered\"}", token: t)
            #expect(again.isFact([], duplicate: true), "\(again.status) \(again.text)")
            // The pre-outage registration is still known: a repeat is a duplicate.
            let regAgain = try EventsHTTP.fact(c.port(1), w, "os-1", body: "{\"type\":\"registered\",\"slot_id\":\"s\",\"source\":\"web\"}", token: t)
            #expect(regAgain.isFact([], duplicate: true), "\(regAgain.text)")
            let hooks = try db.entries().map(\.hook)
            #expect(hooks == ["client_webinar_registered", "client_webinar_entered"], "\(hooks)")
        }
    }
}
