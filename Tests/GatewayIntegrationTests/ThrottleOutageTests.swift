// Redis goes away under the throttle: the node keeps answering (healthz 200, state 503 at once, never a
// hang), counts fail_open, reports not ready; Redis back: buckets enforce again and /readyz is 200.
import GatewayTestSupport
import Foundation
import Glibc
import Testing
import Throttle
@testable import Gateway
import HTTPServer

extension ThrottleIntegration {
    @Suite struct Outage {
        @Test(.timeLimit(.minutes(1))) func redisKilledThenBack() throws {
            // A command deadline (60 s) far beyond the client's receive timeout (5 s): every answer during
            // the outage that arrives at all came at once from the lost connection, not from a deadline.
            let c = try ThrottleCluster(nodes: 2) { $0.redisCommandTimeoutSeconds = 60 }
            defer { c.stop() }
            let limits = ClassLimits(rate: 0.1, burst: 3, mode: .enforce)
            let body = #"{"state":{"rate":0.1,"burst":3,"mode":"enforce"}}"#
            try c.setLimits(body, .state, limits)
            let tok = ThrottleAuth.attendee("outage", session: "outage-s")
            let client = try ThrottleClient(ports: [c.port(0), c.port(1)])
            #expect(try (0..<4).map { _ in try client.state(token: tok).status } == [200, 200, 200, 429])
            #expect(try c.metric(0, .state, "fail_open") == 0)
            #expect(eventually { c.subscribers(ThrottleKeys.limitsChannel) == 2 }, "both nodes watch the limits channel")

            c.redis.kill()
            for i in 0..<2 {
                let h = try RoomHTTP.send(c.port(i), "/healthz")
                #expect(h.status == 200)
                let s = try RoomHTTP.state(c.port(i), "w1", token: tok)
                #expect(s.status == 503 && s.isProblem && s.header("retry-after") != nil, "node \(i): \(s.status) \(s.text)")
                // A hook goes through the throttle's fail-open path too, then fails on the store.
                #expect(try RoomHTTP.cta(c.port(i), "w1", true).status == 503)
            }
            #expect(eventually(seconds: 5) { (try? RoomHTTP.send(c.port(0), "/readyz").status) == 503 && (try? RoomHTTP.send(c.port(1), "/readyz").status) == 503 })
            for i in 0..<2 {
                #expect((try c.metric(i, .state, "fail_open") ?? 0) >= 1, "node \(i)")
                #expect((try c.metric(i, .hooks, "fail_open") ?? 0) >= 1, "node \(i)")
            }
            // Still answering: several reads in a row, each within the client's receive timeout (none hangs).
            for i in 0..<10 { #expect(try RoomHTTP.state(c.port(i % 2), "w1", token: tok).status == 503) }

            try c.redis.restart()
            #expect(eventually(seconds: 8) { (try? RoomHTTP.send(c.port(0), "/readyz").status) == 200 && (try? RoomHTTP.send(c.port(1), "/readyz").status) == 200 })
            // The embedded server keeps no data: the limits hash is gone too, so set them again.
            try c.setLimits(body, .state, limits)
            let failOpen = try c.metric(0, .state, "fail_open")
            #expect(try (0..<4).map { _ in try client.state(token: tok).status } == [200, 200, 200, 429], "buckets enforce again")
            #expect(try c.metric(0, .state, "fail_open") == failOpen, "no more fail-open once Redis is back")
            // Both nodes watch the limits channel again, and a change is in force everywhere.
            #expect(eventually { c.subscribers(ThrottleKeys.limitsChannel) == 2 }, "re-subscribed: \(c.subscribers(ThrottleKeys.limitsChannel) ?? -1)")
            let changed = ClassLimits(rate: 0.1, burst: 4, mode: .enforce)
            let r = try c.admin(1, method: "PUT", body: #"{"state":{"burst":4}}"#)
            #expect(r.status == 200)
            #expect(c.waitInForce(.state, changed))
        }

        /// With `throttleFailClosed`, an outage refuses throttled work with 503 and counts fail_closed.
        @Test(.timeLimit(.minutes(1))) func failClosedRefusesAndCounts() throws {
            let c = try ThrottleCluster(nodes: 1) { $0.throttleFailClosed = true }
            defer { c.stop() }
            c.redis.kill()
            #expect(eventually(seconds: 5) { (try? RoomHTTP.send(c.port(), "/readyz").status) == 503 })
            let hook = try RoomHTTP.cta(c.port(), "w1", true)
            #expect(hook.status == 503 && hook.isProblem && hook.header("retry-after") == "1", "\(hook.status) \(hook.text)")
            #expect((hook.json["type"] as? String)?.hasSuffix("/throttle-unavailable") == true, "\(hook.text)")
            #expect(try RoomHTTP.state(c.port(), "w1", token: ThrottleAuth.attendee("fc")).status == 503)
            #expect((try c.metric(0, .hooks, "fail_closed") ?? 0) >= 1)
            #expect((try c.metric(0, .state, "fail_closed") ?? 0) >= 1)
            #expect(try c.metric(0, .hooks, "fail_open") == 0)
            #expect(try c.metric(0, .state, "fail_open") == 0)
            #expect(try RoomHTTP.send(c.port(), "/healthz").status == 200)
        }

        /// A frozen Redis (SIGSTOP: the socket stays open, nothing answers): the state route answers 503
        /// when the command deadline (1 s) fires, never hangs (the client gives up after 5 s); healthz stays
        /// 200; after SIGCONT all is well. Nothing but the deadline can end a command on a frozen Redis.
        @Test(.timeLimit(.minutes(1))) func redisFrozenNeverHangsARequest() throws {
            let c = try ThrottleCluster(nodes: 1) { $0.redisCommandTimeoutSeconds = 1 }
            defer { c.stop() }
            try c.setLimits(#"{"state":{"rate":0.1,"burst":3}}"#, .state, ClassLimits(rate: 0.1, burst: 3, mode: .enforce))
            let pid = try #require(c.redis.pid)
            let tok = ThrottleAuth.attendee("frozen", session: "frozen-s")
            #expect(try RoomHTTP.state(c.port(), "w1", token: tok).status == 200)
            #expect(Glibc.kill(pid, SIGSTOP) == 0)
            var resumed = false
            defer { if !resumed { _ = Glibc.kill(pid, SIGCONT) } }
            let s = try RoomHTTP.state(c.port(), "w1", token: tok, extra: [])
            #expect(s.status == 503, "\(s.status) \(s.text)")
            #expect(try RoomHTTP.send(c.port(), "/healthz").status == 200)
            #expect((try c.metric(0, .state, "fail_open") ?? 0) >= 1)
            #expect(Glibc.kill(pid, SIGCONT) == 0)
            resumed = true
            #expect(eventually(seconds: 8) {
                (try? RoomHTTP.send(c.port(), "/readyz").status) == 200 && (try? RoomHTTP.state(c.port(), "w1", token: ThrottleAuth.attendee("after-freeze")).status) == 200
            })
        }
    }
}
