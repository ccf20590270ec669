// Redis goes away and comes back (same address, empty store: the embedded server keeps no data)
// while polls are parked. Reconnect backoff runs on the manual clock, so the test moves it in small
// steps (a few seconds in all, far from the polls' 29-30 s deadlines) until the nodes are ready again.
import GatewayTestSupport
import Foundation
import Glibc
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct RedisRestart {
        /// Advances the manual clock in 50 ms steps (at most `budgetSeconds` in all) until `condition`
        /// holds or `realSeconds` of real time pass.
        static func stepUntil(_ h: NodeHarness, budgetSeconds: Double = 8, realSeconds: Double = 5, _ condition: () -> Bool) -> Bool {
            var spent = 0.0
            return eventually(seconds: realSeconds) {
                if condition() { return true }
                if spent < budgetSeconds {
                    h.advance(seconds: 0.05)
                    spent += 0.05
                }
                return false
            }
        }

        static func restart(_ h: NodeHarness) throws {
            h.redis.kill()
            #expect(eventually(seconds: 5) { h.nodes.allSatisfy { !$0.isReady } }, "nodes noticed the outage")
            try h.redis.restart()
            try #require(stepUntil(h) { h.nodes.allSatisfy { $0.isReady } }, "nodes ready again")
        }

        @Test func pollsParkedBeforeAnOutageAreWokenAfterIt() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let w = "w8"
            let e0 = try RoomView.read(h.port(0), w).etag  // untouched room: the same state after a restart
            let request = RoomHTTP.stateRequest(w, token: RoomAuth.token(.guest, sub: "g-8"), etag: e0, wait: "30")
            var clients: [TestClient] = []
            for i in 0..<20 {
                let c = try TestClient(port: h.port(i % 2), timeoutSeconds: 10)
                c.send(request)
                clients.append(c)
            }
            try #require(eventually { h.parked(0) == 10 && h.parked(1) == 10 })

            h.redis.kill()
            #expect(eventually(seconds: 5) { h.nodes.allSatisfy { !$0.isReady } })
            // While Redis is down: parked polls stay parked; a hook and a fresh read fail cleanly with 503.
            #expect(h.parked(0) == 10 && h.parked(1) == 10)
            let down = try RoomHTTP.cta(h.port(0), w, true)
            #expect(down.status == 503, "\(down.status) \(down.text)")
            #expect(down.isProblem)
            #expect(down.header("retry-after") != nil)
            let read = try RoomHTTP.state(h.port(1), w)
            #expect(read.status == 503, "\(read.status)")

            try h.redis.restart()
            try #require(Self.stepUntil(h) { h.nodes.allSatisfy { $0.isReady } }, "nodes ready again")
            #expect(h.parked(0) == 10 && h.parked(1) == 10, "the restart itself changed nothing: polls stay parked")

            let hook = try RoomHTTP.cta(h.port(0), w, true)
            #expect(hook.status == 200 && hook.json["version"] as? Int == 1, "\(hook.text)")
            // The subscriber may still be reconnecting (its backoff also runs on the manual clock).
            let woken = Self.stepUntil(h) { h.parked(0) == 0 && h.parked(1) == 0 }
            #expect(woken, "still parked: A=\(h.parked(0)) B=\(h.parked(1))")
            try #require(woken)
            var ok = 0
            var bad: [String] = []
            for c in clients {
                if let r = try? c.readResponse(), r.status == 200, r.text.contains("\"cta_visibility\":true"), r.header("etag") != e0 {
                    ok += 1
                } else if bad.count < 3 {
                    bad.append("\(c.buffer.count) bytes")
                }
            }
            #expect(ok == 20, "\(bad)")
        }

        /// The store came back empty, so room versions start again from 0. Polls parked on the old
        /// version are answered with the reset state at the re-subscribe; the next change (version 1
        /// again) must still wake the re-polls.
        @Test func changesAfterAStoreResetStillWake() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let w = "w8r"
            #expect(try RoomHTTP.cta(h.port(0), w, true).status == 200)
            let e1 = try RoomView.read(h.port(0), w).etag
            let token = RoomAuth.token(.guest, sub: "g-8")
            var clients: [TestClient] = []
            for i in 0..<4 {
                let c = try TestClient(port: h.port(i % 2), timeoutSeconds: 10)
                c.send(RoomHTTP.stateRequest(w, token: token, etag: e1, wait: "30"))
                clients.append(c)
            }
            try #require(eventually { h.parked(0) == 2 && h.parked(1) == 2 })
            // A wake seen before the outage (so each node has remembered version 2).
            #expect(try RoomHTTP.cta(h.port(1), w, false).status == 200)
            var e2 = ""
            for c in clients {
                let r = try c.readResponse()
                #expect(r.status == 200 && r.json["version"] as? Int == 2)
                e2 = r.header("etag") ?? ""
            }
            for c in clients { c.send(RoomHTTP.stateRequest(w, token: token, etag: e2, wait: "30")) }
            try #require(eventually { h.parked(0) == 2 && h.parked(1) == 2 })

            try Self.restart(h)
            // The room is gone from the store (version 0 now): the parked polls see that change.
            let reset = Self.stepUntil(h) { h.parked(0) == 0 && h.parked(1) == 0 }
            #expect(reset, "polls on the lost version not answered: A=\(h.parked(0)) B=\(h.parked(1))")
            try #require(reset)
            var e0 = ""
            for c in clients {
                let r = try c.readResponse()
                #expect(r.status == 200, "\(r.status)")
                #expect(r.json["version"] as? Int == 0, "\(r.text)")
                e0 = r.header("etag") ?? ""
            }
            #expect(!e0.isEmpty && e0 != e2)

            // Re-polls on the reset state; then a change, which is version 1 again.
            for c in clients { c.send(RoomHTTP.stateRequest(w, token: token, etag: e0, wait: "30")) }
            try #require(eventually { h.parked(0) == 2 && h.parked(1) == 2 })
            let hook = try RoomHTTP.cta(h.port(0), w, true)
            #expect(hook.status == 200 && hook.json["version"] as? Int == 1, "\(hook.text)")
            let woken = Self.stepUntil(h, budgetSeconds: 3) { h.parked(0) == 0 && h.parked(1) == 0 }
            #expect(woken, "a change after the store reset did not wake the polls: A=\(h.parked(0)) B=\(h.parked(1))")
            if woken {
                for c in clients {
                    let r = try c.readResponse()
                    #expect(r.status == 200 && r.text.contains("\"cta_visibility\":true"), "\(r.status) \(r.text)")
                }
            }
        }
    }
}
