// Token buckets end to end: real redis-server, two nodes sharing it, raw sockets, minted tokens.
// Refill runs on Redis's clock (TIME), so the burst-then-refill count is measured over ~2 s of real time.
import Foundation
import Testing
import Throttle
@testable import Gateway
import HTTPServer

extension ThrottleIntegration {
    @Suite struct Buckets {
        /// Rate r, burst b: a client firing GET state as fast as it can for t (2.1) seconds, alternating between
        /// two nodes, gets b + r·t passes (within one); the rest are 429 with Retry-After; every answer
        /// carries RateLimit-Policy / RateLimit.
        @Test(.timeLimit(.minutes(1))) func burstThenRefillExactlyAcrossTwoNodes() throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            let r = 5.0, b = 10
            try c.setLimits(#"{"state":{"rate":5,"burst":10,"mode":"enforce"}}"#, .state, ClassLimits(rate: r, burst: Double(b), mode: .enforce))
            let token = ThrottleAuth.attendee("burst-user", session: "burst-session")
            // Two connections per node, round robin: node 0, node 1, node 0, node 1.
            let client = try ThrottleClient(ports: [c.port(0), c.port(1), c.port(0), c.port(1)])
            let policy = "\"state\";q=\(b);w=2"  // w = ceil(10 / 5)

            var passes = 0, refused = 0, other: [String] = []
            var perNode = [[0, 0], [0, 0]]  // [node][200, 429]
            var headerProblems: [String] = []
            var firstRemaining: [Int] = []
            var i = 0
            let start = Date()
            var end = start
            // 2.1 s, so r·t = 10.5 is half a token from a whole one: the Redis-side span (t minus the first
            // and last round trips) then holds exactly floor(r·t) refills unless those trips take 100 ms.
            while end.timeIntervalSince(start) < 2.1 {
                let resp = try client.state(token: token)
                end = Date()
                let node = i % 2
                i += 1
                let rl = RateLimitView(resp)
                if resp.header("ratelimit-policy") != policy { headerProblems.append("policy \(resp.header("ratelimit-policy") ?? "nil")") }
                switch resp.status {
                case 200:
                    passes += 1
                    perNode[node][0] += 1
                    if passes <= b, let rl { firstRemaining.append(rl.remaining) }
                    if let rl {
                        // t = ceil((b - low) / r) with remaining = floor(low).
                        let lo = Int((Double(b - rl.remaining - 1) / r).rounded(.up)), hi = Int((Double(b - rl.remaining) / r).rounded(.up))
                        if rl.name != "state" || rl.remaining >= b || rl.fullIn < lo || rl.fullIn > hi { headerProblems.append("200 \(rl)") }
                    } else {
                        headerProblems.append("200 without RateLimit: \(resp.headers)")
                    }
                case 429:
                    refused += 1
                    perNode[node][1] += 1
                    if resp.header("retry-after") != "1" { headerProblems.append("Retry-After \(resp.header("retry-after") ?? "nil")") }
                    if !resp.isProblem { headerProblems.append("429 not problem+json") }
                    if let rl {
                        if rl.name != "state" || rl.remaining != 0 || rl.fullIn != 2 { headerProblems.append("429 \(rl)") }
                    } else {
                        headerProblems.append("429 without RateLimit: \(resp.headers)")
                    }
                default:
                    if other.count < 3 { other.append("\(resp.status) \(resp.text)") }
                }
            }
            let t = end.timeIntervalSince(start)
            let expected = Double(b) + r * t
            #expect(other.isEmpty, "\(other)")
            #expect(abs(Double(passes) - expected) <= 1, "passes \(passes), expected b + r·t = \(b) + \(r)·\(t) = \(expected); refused \(refused)")
            #expect(passes == b + Int(r * t), "exactly b + floor(r·t): passes \(passes), t \(t)")
            #expect(refused > 10 * passes, "the client really fired as fast as it could: \(passes) passes, \(refused) refused in \(t) s")
            #expect(perNode[0][0] > 0 && perNode[1][0] > 0 && perNode[0][1] > 0 && perNode[1][1] > 0, "both nodes passed and refused: \(perNode)")
            #expect(firstRemaining == Array((0..<b).reversed()), "the burst counts down: \(firstRemaining)")
            #expect(headerProblems.isEmpty, "\(headerProblems.prefix(5)) (\(headerProblems.count) in all)")
            print("throttle burst+refill: t=\(String(format: "%.3f", t)) s, passes=\(passes), expected=\(String(format: "%.2f", expected)), refused=\(refused), per node=\(perNode)")
        }

        /// A 304 (If-None-Match equal, wait=0) also carries the RateLimit fields, and a refused request
        /// is 429 even when it would have been a 304.
        @Test func notModifiedCarriesRateLimitAndA429PreemptsIt() throws {
            let c = try ThrottleCluster(nodes: 1)
            defer { c.stop() }
            try c.setLimits(#"{"state":{"rate":0.1,"burst":2}}"#, .state, ClassLimits(rate: 0.1, burst: 2, mode: .enforce))
            let token = ThrottleAuth.attendee("u304", session: "s304")
            let client = try ThrottleClient(ports: [c.port()])
            let first = try client.state(token: token)
            try #require(first.status == 200)
            let etag = try #require(first.header("etag"))
            let nm = try client.state(token: token, etag: etag, wait: "0")
            #expect(nm.status == 304)
            #expect(RateLimitView(nm) == RateLimitView(first).map { var v = $0; v.remaining = 0; v.fullIn = 20; return v }, "\(nm.headers)")
            let refused = try client.state(token: token, etag: etag, wait: "0")
            #expect(refused.status == 429 && refused.header("retry-after") != nil)
            #expect(refused.header("ratelimit-policy") == "\"state\";q=2;w=20")
        }

        /// User buckets and session buckets are separate; one user exhausting its buckets never slows
        /// another; two users sharing one session are held by that session's bucket.
        @Test func userAndSessionBucketsAreIndependent() throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            // rate 0.1/s: no refill worth a token during the test.
            try c.setLimits(#"{"state":{"rate":0.1,"burst":3,"mode":"enforce"}}"#, .state, ClassLimits(rate: 0.1, burst: 3, mode: .enforce))
            let client = try ThrottleClient(ports: [c.port(0), c.port(1)])
            func statuses(_ token: String, _ n: Int) throws -> [Int] { try (0..<n).map { _ in try client.state(token: token).status } }

            // User A on session sA: burst 3, then 429.
            #expect(try statuses(ThrottleAuth.attendee("A", session: "sA"), 4) == [200, 200, 200, 429])
            // User B is never slowed by A.
            let b = ThrottleAuth.attendee("B", session: "sB")
            #expect(try statuses(b, 3) == [200, 200, 200])
            #expect(try statuses(b, 1) == [429], "and B has its own burst of 3, no more")
            // A on a fresh session: A's user bucket is empty.
            #expect(try statuses(ThrottleAuth.attendee("A", session: "sA2"), 1) == [429])
            // A fresh user on A's exhausted session: the session bucket is empty.
            #expect(try statuses(ThrottleAuth.attendee("D", session: "sA"), 1) == [429])
            // ... and those refusals took nothing from D's or sA2's buckets: both still full.
            let d2 = try client.state(token: ThrottleAuth.attendee("D", session: "sD"))
            #expect(d2.status == 200 && RateLimitView(d2)?.remaining == 2, "\(d2.headers)")
            let a2 = try client.state(token: ThrottleAuth.attendee("E", session: "sA2"))
            #expect(a2.status == 200 && RateLimitView(a2)?.remaining == 2, "\(a2.headers)")

            // Users F and G share session S: together they get the session's burst of 3.
            let f = ThrottleAuth.attendee("F", session: "S"), g = ThrottleAuth.attendee("G", session: "S")
            var shared: [Int] = []
            for tok in [f, g, f, g, f, g] { shared.append(try client.state(token: tok).status) }
            #expect(shared == [200, 200, 200, 429, 429, 429], "\(shared)")
            // Each still has user tokens left (F used 2, G used 1): on their own sessions they pass.
            let fAlone = try client.state(token: ThrottleAuth.attendee("F", session: "F-own"))
            #expect(fAlone.status == 200 && RateLimitView(fAlone)?.remaining == 0)
            let gAlone = try client.state(token: ThrottleAuth.attendee("G", session: "G-own"))
            #expect(gAlone.status == 200 && RateLimitView(gAlone)?.remaining == 1)
            // The 429 for the shared session says so: nothing remains.
            let s = try client.state(token: g)
            #expect(s.status == 429 && RateLimitView(s)?.remaining == 0)
        }

        /// `gateway throttle reset user ID` removes that user's buckets: a full burst again. `reset
        /// session ID` frees the session's bucket only.
        @Test func resetGivesAFullBurstAgain() async throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            try c.setLimits(#"{"state":{"rate":0.1,"burst":3,"mode":"enforce"}}"#, .state, ClassLimits(rate: 0.1, burst: 3, mode: .enforce))
            let client = try ThrottleClient(ports: [c.port(0), c.port(1)])
            func statuses(_ token: String, _ n: Int) throws -> [Int] { try (0..<n).map { _ in try client.state(token: token).status } }

            // A token without a session claim: only the user bucket counts.
            let r = ThrottleAuth.attendee("R")
            #expect(try statuses(r, 4) == [200, 200, 200, 429])
            let other = ThrottleAuth.attendee("R2")
            #expect(try statuses(other, 3) == [200, 200, 200])
            let out = try await c.throttle(["reset", "user", "R"])
            #expect(out == "reset user R: 1 bucket(s) removed", "\(out)")
            #expect(try statuses(r, 4) == [200, 200, 200, 429], "a full burst again")
            #expect(try statuses(other, 1) == [429], "another user's bucket is untouched")
            #expect(try await c.throttle(["reset", "user", "nobody"]) == "reset user nobody: 0 bucket(s) removed")

            // Session reset: U1 and U2 share session Z.
            let u1 = ThrottleAuth.attendee("U1", session: "Z"), u2 = ThrottleAuth.attendee("U2", session: "Z")
            #expect(try statuses(u1, 2) == [200, 200])
            #expect(try statuses(u2, 2) == [200, 429], "session Z is empty")
            #expect(try await c.throttle(["reset", "session", "Z"]) == "reset session Z: 1 bucket(s) removed")
            // U2's own bucket had 2 left; the session bucket is full again.
            #expect(try statuses(u2, 3) == [200, 200, 429], "now U2's user bucket is the empty one")
            #expect(try statuses(u1, 2) == [200, 429], "U1: one user token left; then the session (3 - 2 - 1 = 0)")

            // Bad reset arguments change nothing.
            for args in [["reset", "user"], ["reset", "lead", "x"], ["reset", "user", "bad id!"], ["reset", "user", "a", "b"]] {
                await #expect(throws: ConfigurationError.self, "\(args)") { _ = try await c.throttle(args) }
            }
            #expect(try statuses(r, 1) == [429])
        }

        /// The hooks class: per caller (`sub`), RateLimit fields on the answers, 429 past the burst.
        @Test func hooksAreThrottledPerCaller() async throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            _ = try await c.throttle(["set", "hooks", "rate=0.1", "burst=2"])
            try #require(c.waitInForce(.hooks, ClassLimits(rate: 0.1, burst: 2, mode: .enforce)))
            let core = RoomAuth.token(.system, sub: "core-h")
            var seen: [Int] = []
            for i in 0..<3 {
                let resp = try RoomHTTP.cta(c.port(i % 2), "wh", i % 2 == 0, token: core)
                seen.append(resp.status)
                #expect(resp.header("ratelimit-policy") == "\"hooks\";q=2;w=20", "\(resp.status) \(resp.headers)")
                if resp.status == 429 {
                    #expect(resp.header("retry-after").flatMap(Int.init).map { $0 >= 1 && $0 <= 10 } == true)
                    #expect(resp.isProblem)
                }
            }
            #expect(seen == [200, 200, 429])
            // Another caller is not slowed.
            #expect(try RoomHTTP.cta(c.port(1), "wh", true, token: RoomAuth.token(.system, sub: "core-2")).status == 200)
            // And the state class is untouched by the hooks limits.
            #expect(try RoomHTTP.state(c.port(0), "wh", token: core).status == 200)
        }
    }
}

extension ThrottleIntegration.Buckets {
    /// Contract §6: RateLimit fields "on every throttled route's answer": on the hooks route the 200, the
    /// 404 and the answers produced after the throttle passed (422, 403, 409) all carry them.
    @Test func hookAnswersAfterTheThrottleCarryRateLimit() throws {
        let c = try ThrottleCluster(nodes: 1)
        defer { c.stop() }
        let ok = try RoomHTTP.cta(c.port(), "wr", true)
        #expect(ok.status == 200 && RateLimitView(ok) != nil)
        let unknown = try RoomHTTP.hook(c.port(), "no_such_hook", body: "{}", token: RoomAuth.system)
        #expect(unknown.status == 404 && RateLimitView(unknown) != nil)
        let bad = try RoomHTTP.hook(c.port(), "core_webinar_set_status", body: #"{"webinar_id":"wr","status":"fly"}"#, token: RoomAuth.system)
        let forbidden = try RoomHTTP.status(c.port(), "wr", "pause", token: RoomAuth.organizer)
        #expect(try RoomHTTP.status(c.port(), "wr", "archive").status == 200)
        let illegal = try RoomHTTP.status(c.port(), "wr", "start")
        #expect(bad.status == 422 && forbidden.status == 403 && illegal.status == 409, "\(bad.status) \(forbidden.status) \(illegal.status)")
        #expect(RateLimitView(bad) != nil, "422 \(bad.headers)")
        #expect(RateLimitView(forbidden) != nil, "403 \(forbidden.headers)")
        #expect(RateLimitView(illegal) != nil, "409 \(illegal.headers)")
    }
}
