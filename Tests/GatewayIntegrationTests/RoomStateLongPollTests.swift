// Long-polling end to end on real nodes and a real redis-server: a wake across two nodes answers
// 1,000 parked polls, deadlines (manual clock, no sleeping), the re-poll gap, and clients that leave.
import GatewayTestSupport
import Foundation
import Glibc
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct LongPoll {
        /// Runs with the default throttle in force (enforce): one user per client, as in production, so
        /// the combined throttle + state read is exercised at scale too.
        @Test func oneHookWakesAThousandPollsOnTwoNodes() throws {
            let h = try NodeHarness(nodes: 2, throttle: true)
            defer { h.stop() }
            let w = "w1"
            // Half guests (room only), half attendees each with its own session (ETag has a session part).
            struct Poller { let client: TestClient; let node: Int; let token: String; var etag = "" }
            var pollers: [Poller] = []
            for i in 0..<1000 {
                let node = i % 2
                let token = i % 4 < 2 ? RoomAuth.token(.guest, sub: "g-\(i)") : RoomAuth.token(.attendee, sub: "a-\(i)", session: "s-\(i)")
                let c = try TestClient(port: h.port(node), timeoutSeconds: 5)
                c.send(RoomHTTP.stateRequest(w, token: token))
                pollers.append(Poller(client: c, node: node, token: token))
            }
            for i in pollers.indices {
                let r = try pollers[i].client.readResponse()
                let v = try RoomView(r)
                try #require(v.version == 0 && v.status == "scheduled" && v.cta == false, "\(v)")
                pollers[i].etag = v.etag
            }
            #expect(pollers[0].etag != pollers[2].etag, "the session is part of the ETag")
            #expect(Set(pollers.map(\.etag)).count == 501, "one room ETag for the guests, one per attendee session")
            for p in pollers { p.client.send(RoomHTTP.stateRequest(w, token: p.token, etag: p.etag, wait: "30")) }
            let allParked = eventually(seconds: 15) { h.parked(0) == 500 && h.parked(1) == 500 }
            #expect(allParked, "parked: A=\(h.parked(0)) B=\(h.parked(1))")
            try #require(allParked)

            let hook = try RoomHTTP.cta(h.port(0), w, true)
            #expect(hook.status == 200, "\(hook.text)")
            #expect(hook.json["applied"] as? Bool == true)
            #expect(hook.json["version"] as? Int == 1)

            // Every poll answered (bounded) before reading, so a failed wake cannot block on 1,000 reads.
            let drained = eventually(seconds: 5) { h.parked(0) == 0 && h.parked(1) == 0 }
            #expect(drained, "still parked after the hook: A=\(h.parked(0)) B=\(h.parked(1))")
            try #require(drained)
            var woken: [TestResponse] = []
            var answered = [0, 0]
            var bad: [String] = []
            for p in pollers {
                do {
                    let r = try p.client.readResponse()
                    woken.append(r)
                    let ok = r.status == 200 && r.header("etag") != nil && r.header("etag") != p.etag
                        && r.text.contains("\"cta_visibility\":true") && r.text.contains("\"version\":1")
                        && r.header("cache-control") == "no-store" && r.header("content-type") == "application/json"
                    if ok { answered[p.node] += 1 } else if bad.count < 5 { bad.append("\(r.status) \(r.header("etag") ?? "-") \(r.text)") }
                } catch {
                    woken.append(TestResponse(status: 0, headers: [], body: []))
                    if bad.count < 5 { bad.append("node \(p.node): \(error)") }
                }
            }
            #expect(answered == [500, 500], "first bad answers: \(bad)")
            #expect(h.parked(0) == 0 && h.parked(1) == 0)

            // A woken answer is exactly what a fresh read says now (ETag and body), or the client's next
            // poll would not match and be answered again at once. Checked on the other node.
            var mismatches: [String] = []
            for (i, p) in pollers.enumerated() where woken[i].status == 200 {
                let c = try TestClient(port: h.port(1 - p.node))
                c.send(RoomHTTP.stateRequest(w, token: p.token))
                let fresh = try c.readResponse()
                if fresh.header("etag") != woken[i].header("etag") || fresh.body != woken[i].body, mismatches.count < 5 {
                    mismatches.append("\(woken[i].header("etag") ?? "-") \(woken[i].text) vs fresh \(fresh.status) \(fresh.header("etag") ?? "-") \(fresh.text)")
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches)")
        }

        @Test func deadlineAnswers304WithTheSameETagAndNoStore() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "w2"
            _ = try RoomHTTP.cta(h.port(), w, true)
            let first = try RoomHTTP.state(h.port(), w)
            #expect(first.status == 200)
            #expect(first.header("cache-control") == "no-store")
            #expect(first.header("content-type") == "application/json")
            let e = try #require(first.header("etag"))
            #expect(e.hasPrefix("\"") && e.hasSuffix("\""), "strong ETag: \(e)")

            let c = try TestClient(port: h.port())
            c.send(RoomHTTP.stateRequest(w, token: RoomAuth.organizer, etag: e, wait: "10"))
            #expect(eventually { h.parked() == 1 })
            // The deadline is the wait minus up to 10 % jitter (max 1 s): between 9 and 10 s.
            h.advance(seconds: 8.9)
            #expect(h.parked() == 1, "answered before the earliest deadline")
            h.advance(seconds: 1.2)
            let r = try c.readResponse()
            #expect(r.status == 304)
            #expect(r.header("etag") == e)
            #expect(r.header("cache-control") == "no-store")
            #expect(r.body.isEmpty)
            #expect(h.parked() == 0)

            // A second poll on the same keep-alive connection still works, and wait=0 gives 304 at once.
            c.send(RoomHTTP.stateRequest(w, token: RoomAuth.organizer, etag: e, wait: "0"))
            let now = try c.readResponse()
            #expect(now.status == 304)
            #expect(now.header("etag") == e)
            #expect(now.header("cache-control") == "no-store")
        }

        @Test func aChangeDuringTheRepollGapIsNotMissed() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let w = "w3"
            let e0 = try RoomView.read(h.port(1), w).etag
            let token = RoomAuth.token(.attendee, sub: "a-1")
            let c = try TestClient(port: h.port(1))
            c.send(RoomHTTP.stateRequest(w, token: token, etag: e0, wait: "30"))
            #expect(eventually { h.parked(1) == 1 })

            #expect(try RoomHTTP.cta(h.port(0), w, true).status == 200)  // change 1, on the other node
            let r1 = try c.readResponse()
            #expect(r1.status == 200)
            let e1 = try #require(r1.header("etag"))
            #expect(e1 != e0)
            #expect(r1.json["version"] as? Int == 1)

            #expect(try RoomHTTP.status(h.port(0), w, "start").status == 200)  // change 2, before the re-poll
            c.send(RoomHTTP.stateRequest(w, token: token, etag: e1, wait: "30"))
            // No clock movement: a parked poll could only answer at its deadline, which never comes.
            let r2 = try c.readResponse()
            #expect(r2.status == 200)
            let e2 = try #require(r2.header("etag"))
            #expect(e2 != e1 && e2 != e0)
            #expect(r2.json["version"] as? Int == 2)
            #expect(r2.json["status"] as? String == "live")
            #expect(h.parked(1) == 0)
            let fresh = try RoomHTTP.state(h.port(0), w, token: token)
            #expect(fresh.header("etag") == e2 && fresh.body == r2.body, "\(fresh.text) vs \(r2.text)")
        }

        @Test func clientsThatLeaveFreeTheirSlotsWithinOneSecond() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "w4"
            let e0 = try RoomView.read(h.port(), w).etag
            let request = RoomHTTP.stateRequest(w, token: RoomAuth.token(.guest, sub: "g-4"), etag: e0, wait: "30")
            var halfClosed: [TestClient] = []
            var closed: [TestClient] = []
            for i in 0..<500 {
                let c = try TestClient(port: h.port())
                c.send(request)
                if i % 2 == 0 { halfClosed.append(c) } else { closed.append(c) }
            }
            let parked = eventually(seconds: 10) { h.parked() == 500 }
            #expect(parked, "parked \(h.parked())")
            try #require(parked)

            for c in halfClosed { c.shutdownWrite() }
            closed.removeAll()  // deinit closes the sockets
            let freed = eventually(seconds: 1) { h.parked() == 0 }
            #expect(freed, "still parked after 1 s: \(h.parked())")
            #expect(eventually(seconds: 1) { h.node.server.state.openConnections.load(ordering: .relaxed) == 0 },
                    "open: \(h.node.server.state.openConnections.load(ordering: .relaxed))")
            for c in halfClosed { #expect(c.readsEOF()) }  // nothing was written to them
            halfClosed.removeAll()

            // The room still works afterwards: a new poll parks and a change wakes it.
            let c = try TestClient(port: h.port())
            c.send(request)
            #expect(eventually { h.parked() == 1 })
            #expect(try RoomHTTP.cta(h.port(), w, true).status == 200)
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.text.contains("\"cta_visibility\":true"))
        }
    }
}
