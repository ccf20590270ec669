// Runtime limits: a change through `gateway throttle set` or the admin API is in force on every node
// within a second (pub/sub, and the 1 s re-read when a notice is missed); shadow and off modes; bad
// values refused whole with nothing changed; only `system` may use the admin API.
import GatewayTestSupport
import Foundation
import Reactor
import Testing
import Throttle
@testable import Gateway
import HTTPServer

extension ThrottleIntegration {
    @Suite struct Limits {
        /// `ThrottleCommand.run(set state rate=1 burst=2)` against the shared Redis: the other node
        /// enforces it through the pub/sub notice. The nodes' clock stands still, so their 1 s re-read
        /// cannot run: whatever arrives came through the notice.
        @Test func cliSetReachesTheOtherNodeThroughTheNotice() async throws {
            let c = try ThrottleCluster(nodes: 2, clock: ManualClock())
            defer { c.stop() }
            let target = ClassLimits(rate: 1, burst: 2, mode: .enforce)
            try #require(c.loopsWith(.state, ThrottleLimits.defaults[.state]) == c.loopCount, "defaults in force at start")
            let out = try await c.throttle(["set", "state", "rate=1", "burst=2"])
            #expect(out.hasPrefix(#"{"state":{"rate":1,"burst":2,"mode":"enforce"}"#), "\(out)")
            // Poll node 1 over HTTP (a fresh user each time, so the probe itself is never refused).
            var probe = 0
            let seen = eventually {
                probe += 1
                guard let r = try? RoomHTTP.state(c.port(1), "w1", token: ThrottleAuth.attendee("probe-\(probe)")) else { return false }
                return r.header("ratelimit-policy") == "\"state\";q=2;w=2"
            }
            #expect(seen, "node 1 still announces the old policy after \(probe) probes (no re-read can have run)")
            #expect(c.waitInForce(.state, target), "every loop of both nodes, through the notice alone")
            // Enforced, not just announced: burst 2 on either node.
            for i in 0..<2 {
                let client = try ThrottleClient(ports: [c.port(i)])
                let tok = ThrottleAuth.attendee("after-set-\(i)", session: "after-set-s\(i)")
                let got = try (0..<3).map { _ in try client.state(token: tok).status }
                #expect(got == [200, 200, 429], "node \(i): \(got)")
            }
        }

        /// A change written without its pub/sub notice (as if the notice were lost) is still picked up by
        /// the once-a-second re-read: not before the nodes' (manual) clock reaches it, on every loop after.
        @Test func aMissedNoticeIsCaughtByTheOneSecondReRead() throws {
            let c = try ThrottleCluster(nodes: 2, clock: ManualClock())
            defer { c.stop() }
            let changed = ClassLimits(rate: 3, burst: 4, mode: .enforce)
            let written = c.redisInt("redis.call('HSET', 'wg:throttle:limits', 'state.rate', '3', 'state.burst', '4'); return 1")
            try #require(written == 1)
            #expect(c.loopsWith(.state, changed) == 0, "in force before any re-read ran")
            c.advance(seconds: 1)
            #expect(c.waitInForce(.state, changed), "not in force on every loop after the 1 s re-read")
        }

        /// Shadow mode refuses nothing, says what it would have done, and counts `shadow_refused`.
        @Test func shadowModeCountsButNeverRefuses() throws {
            let c = try ThrottleCluster(nodes: 1)
            defer { c.stop() }
            try c.setLimits(#"{"state":{"rate":0.1,"burst":2,"mode":"shadow"}}"#, .state, ClassLimits(rate: 0.1, burst: 2, mode: .shadow))
            let client = try ThrottleClient(ports: [c.port()])
            let tok = ThrottleAuth.attendee("shadow", session: "shadow-s")
            var statuses: [Int] = [], remaining: [Int?] = []
            for _ in 0..<6 {
                let r = try client.state(token: tok)
                statuses.append(r.status)
                remaining.append(RateLimitView(r)?.remaining)
                #expect(r.header("retry-after") == nil)
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(remaining == [1, 0, 0, 0, 0, 0], "the headers still tell the truth: \(remaining)")
            #expect(try c.metric(0, .state, "shadow_refused") == 4)
            #expect(try c.metric(0, .state, "allowed") == 2)
            #expect(try c.metric(0, .state, "refused") == 0)
        }

        /// Mode off: no RateLimit fields, no 429, no bucket keys in Redis; back to enforce, all return.
        @Test func offModeDisablesAndMakesNoKeys() throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            try c.setLimits(#"{"state":{"burst":2,"mode":"off"}}"#, .state, ClassLimits(rate: 2, burst: 2, mode: .off))
            let client = try ThrottleClient(ports: [c.port(0), c.port(1)])
            let tok = ThrottleAuth.attendee("off-user", session: "off-s")
            var statuses: [Int] = [], headers = 0
            for _ in 0..<10 {
                let r = try client.state(token: tok)
                statuses.append(r.status)
                if r.header("ratelimit") != nil || r.header("ratelimit-policy") != nil { headers += 1 }
            }
            #expect(statuses == Array(repeating: 200, count: 10))
            #expect(headers == 0)
            #expect(c.bucketKeyCount == 0)
            for outcome in ["allowed", "refused", "shadow_refused", "fail_open"] {
                #expect(try c.metric(0, .state, outcome) == 0 && c.metric(1, .state, outcome) == 0, "\(outcome)")
            }
            // Back on: the same user gets headers, a burst of 2 and a 429, and its keys exist.
            try c.setLimits(#"{"state":{"mode":"enforce"}}"#, .state, ClassLimits(rate: 2, burst: 2, mode: .enforce))
            let back = try (0..<3).map { _ in try client.state(token: tok) }
            #expect(back.map(\.status) == [200, 200, 429])
            #expect(back.allSatisfy { RateLimitView($0) != nil })
            #expect(c.bucketKeyCount == 2, "user + session bucket")
        }

        static let badBodies: [String] = [
            #"{"state":{"rate":0}}"#, #"{"state":{"rate":-1}}"#, #"{"state":{"burst":0.5}}"#, #"{"state":{"burst":2000000}}"#,
            #"{"state":{"burst":0}}"#, #"{"state":{"rate":100001}}"#, #"{"state":{"rate":1e400}}"#,
            #"{"state":{"mode":"bogus"}}"#, #"{"state":{"mode":"ENFORCE"}}"#, #"{"bogus":{"rate":1}}"#, #"{"state":5}"#,
            #"{"state":"fast"}"#, #"{"state":[]}"#, #"{"state":{}}"#, #"{"state":{"rate":"5"}}"#, #"{"state":{"speed":3}}"#,
            #"{"state":{"mode":null}}"#, "[]", #""x""#, "5", "null", "{}", "", "{", #"{"state":{"rate":1}"#,
            // One good class and one bad: refused whole, the good one is not applied either.
            #"{"state":{"rate":7,"burst":70},"events":{"burst":0}}"#,
            #"{"events":{"rate":7},"hooks":{"mode":"bogus"}}"#,
        ]

        /// Bad values through the admin API: 422 problem+json, and the limits are unchanged everywhere.
        @Test func adminRefusesBadValuesWhole() throws {
            let c = try ThrottleCluster(nodes: 2)
            defer { c.stop() }
            let good = ClassLimits(rate: 3, burst: 9, mode: .enforce)
            try c.setLimits(#"{"state":{"rate":3,"burst":9,"mode":"enforce"}}"#, .state, good)
            let before = try c.admin(1)
            try #require(before.status == 200)
            #expect(before.text.hasPrefix(#"{"state":{"rate":3,"burst":9,"mode":"enforce"}"#), "\(before.text)")
            let version = c.limitsVersion
            for body in Self.badBodies {
                let r = try c.admin(0, method: "PUT", body: body)
                #expect(r.status == 422, "\(body) → \(r.status) \(r.text)")
                #expect(r.isProblem, "\(body)")
                #expect((r.json["detail"] as? String).map { !$0.isEmpty } == true, "\(body): \(r.text)")
            }
            // The problem names the field it validated, and never echoes client text.
            let named: [(String, String)] = [(#"{"state":{"rate":0}}"#, "state: rate must be"), (#"{"state":{"burst":0.5}}"#, "state: burst must be"),
                                             (#"{"state":{"mode":"zzz-mode"}}"#, "state.mode:"), (#"{"events":{"rate":"zzz"}}"#, "events.rate:"),
                                             (#"{"zzz-client-class":{"rate":1}}"#, "body: unknown route class"), (#"{"hooks":{"zzz-client-key":1}}"#, "hooks:")]
            for (body, detail) in named {
                let r = try c.admin(0, method: "PUT", body: body)
                let d = r.json["detail"] as? String ?? ""
                #expect(r.status == 422 && d.hasPrefix(detail), "\(body) → \(r.status) \(d)")
                #expect(!r.text.contains("zzz"), "client text echoed: \(r.text)")
            }
            // A body that is not JSON at all by media type.
            let xml = try RoomHTTP.send(c.port(0), method: "PUT", "/v1/admin/throttle",
                                        headers: [("Authorization", "Bearer \(RoomAuth.system)"), ("Content-Type", "text/plain")], body: "rate=0")
            #expect(xml.status == 415 && xml.isProblem)
            #expect(c.limitsVersion == version, "nothing written to Redis")
            let after = try c.admin(1)
            #expect(after.text == before.text)
            #expect(c.loopsWith(.state, good) == c.loopCount)
            #expect(c.loopsWith(.events, ThrottleLimits.defaults[.events]) == c.loopCount)
            #expect(c.loopsWith(.hooks, ThrottleLimits.defaults[.hooks]) == c.loopCount)
        }

        /// Bad values through `gateway throttle set`: ConfigurationError with one line naming the
        /// problem, nothing written.
        @Test func cliRefusesBadValuesWhole() async throws {
            let c = try ThrottleCluster(nodes: 1)
            defer { c.stop() }
            _ = try await c.throttle(["set", "state", "rate=3", "burst=9"])
            let before = try await c.throttle(["show"])
            let version = c.limitsVersion
            let bad: [[String]] = [
                ["set", "state", "rate=0"], ["set", "state", "rate=-1"], ["set", "state", "burst=0.5"], ["set", "state", "burst=2000000"],
                ["set", "state", "mode=bogus"], ["set", "bogus", "rate=1"], ["set", "state"], ["set", "state", "rate=abc"],
                ["set", "state", "speed=3"], ["set", "state", "rate=nan"], ["set", "state", "rate=inf"], ["set", "state", "rate=1", "burst=0"],
                ["set"], ["show", "extra"], ["frobnicate"], [],
            ]
            for args in bad {
                do {
                    let out = try await c.throttle(args)
                    Issue.record("\(args) accepted: \(out)")
                } catch {
                    let first = error.description.split(separator: "\n").first.map(String.init) ?? ""
                    #expect(!first.isEmpty, "\(args)")
                    if args.count >= 3 { #expect(!error.description.contains("\n"), "\(args): one line: \(error.description)") }
                }
            }
            #expect(c.limitsVersion == version, "nothing written to Redis")
            #expect(try await c.throttle(["show"]) == before)
            // The address from GATEWAY_REDIS_URL works like --redis.
            #expect(try await ThrottleCommand.run(arguments: ["show"], environment: ["GATEWAY_REDIS_URL": c.redis.url]) == before)
            #expect(c.waitInForce(.state, ClassLimits(rate: 3, burst: 9, mode: .enforce)))
            // No Redis address, and an unreachable one: refused, bounded.
            await #expect(throws: ConfigurationError.self) { _ = try await ThrottleCommand.run(arguments: ["show"], environment: [:]) }
            // The unreachable one gives up at the command's own connect deadline with a Redis error.
            do {
                _ = try await ThrottleCommand.run(arguments: ["show", "--redis", "redis://127.0.0.1:1/0"], environment: [:])
                Issue.record("an unreachable Redis was accepted")
            } catch {
                #expect(error.description.hasPrefix("redis "), "\(error.description)")
            }
        }

        /// Only `system` may read or change the limits.
        @Test func adminIsSystemOnly() throws {
            let c = try ThrottleCluster(nodes: 1)
            defer { c.stop() }
            let before = try c.admin()
            try #require(before.status == 200)
            let version = c.limitsVersion
            for role in [Claims.Role.organizer, .speaker, .moderator, .attendee, .guest] {
                let tok = RoomAuth.token(role, sub: "not-admin", session: role == .attendee ? "s" : nil)
                let get = try c.admin(method: "GET", token: tok)
                #expect(get.status == 403 && get.isProblem, "\(role) GET → \(get.status)")
                let put = try c.admin(method: "PUT", body: #"{"state":{"rate":1,"burst":1}}"#, token: tok)
                #expect(put.status == 403 && put.isProblem, "\(role) PUT → \(put.status)")
            }
            let anon = try c.admin(method: "PUT", body: #"{"state":{"rate":1}}"#, token: nil)
            #expect(anon.status == 401 && anon.header("www-authenticate")?.hasPrefix("Bearer") == true)
            let forged = try c.admin(method: "PUT", body: #"{"state":{"rate":1}}"#, token: RoomAuth.token(.system, sub: "core", secret: "wrong"))
            #expect(forged.status == 401)
            #expect(c.limitsVersion == version)
            #expect(try c.admin().text == before.text)
            #expect(c.loopsWith(.state, ThrottleLimits.defaults[.state]) == c.loopCount)
        }
    }
}
