// Webhook delivery faults end to end (contract §5, issue 13), through real nodes on one redis-server and
// a real HTTPS receiver (webhook_fault_receiver.py: a throwaway CA and server certificate made by openssl,
// trusted by the nodes through `webhook.caFile`, every request checked by the reference `standardwebhooks`
// library when GATEWAY_WEBHOOK_PYTHON is set): 500 three times then 200 is delivered on the 4th attempt;
// a receiver down past the last attempt is a dead letter that `gateway webhooks replay` delivers once it
// is up; a 410 disables the subscription (`disabled_reason` gone); a 429's Retry-After holds the next
// attempt back at least that long; a receiver that never answers times out, is recorded, and leaves no
// connection open. Test schedules are milliseconds; every wait is an `eventually`; loopback only.
import Foundation
import GatewayTestSupport
import Glibc
import RedisStore
import Testing
@testable import Gateway

/// The one parent suite of every WebhookFault* test: serialized (timing-sensitive receivers, 2 cores).
@Suite(.serialized) struct WebhookFaultTests {}

/// Shared set-up of the fault tests.
enum Fault {
    /// Node settings: the test CA trusted, loopback allowed unless said otherwise, a millisecond schedule.
    static func configure(_ c: inout ServerConfiguration, caFile: String?, allowPrivate: Bool = true, schedule: [Int64] = [0, 20, 20]) {
        c.webhook.allowPrivate = allowPrivate
        c.webhook.caFile = caFile
        c.webhook.settings.retryScheduleMillis = schedule
    }

    /// The event id of the one stream entry of `session` (its lead is `lead-<session>`: FaultFacts.token).
    static func eventID(_ db: EventsRedis, session: String) throws -> String {
        let e = try #require(try db.entries().first { $0.payloadString("lead_id") == "lead-" + session }, "no event for \(session)")
        return e.eventID
    }

    /// Every request for `id` on `path` verified (when the reference library runs).
    static func expectVerified(_ requests: [FaultReceiver.Request], sourceLocation: SourceLocation = #_sourceLocation) {
        guard FaultPython.verifies else { return }
        let bad = requests.filter { $0.verified != true }
        #expect(bad.isEmpty, "refused by standardwebhooks: \(bad.prefix(3))", sourceLocation: sourceLocation)
    }
}

extension WebhookFaultTests {
    @Suite struct Retries {
        @Test func fiveHundredThreeTimesThenTheFourthAttemptDelivers() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let receiver = try FaultReceiver(pki: pki)
            defer { receiver.stop() }
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, schedule: [0, 20, 20, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let sub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/flaky")
            try receiver.control(["/flaky": ["secret": sub.secret, "script": [500, 500, 500], "default": 200]])
            try h.addNode()
            try h.addNode()

            try #require(try FaultFacts.post(h.port(0), "wf-room", "wf-flaky", "entered"))
            let id = try Fault.eventID(db, session: "wf-flaky")
            #expect(eventually(seconds: 15) { receiver.delivered("/flaky").contains(id) }, "\(receiver.requests("/flaky").map(\.answer))")
            let attempts = receiver.requests("/flaky")
            #expect(attempts.map(\.id) == [id, id, id, id], "one webhook-id across the retries")
            #expect(attempts.map(\.answer) == [500, 500, 500, 200])
            Fault.expectVerified(attempts)
            #expect(await eventually(seconds: 5) { (try? await FaultCLI.counter(h.redis.url, sub.id, "delivered")) == 1 })
            let shown = try await FaultCLI.show(h.redis.url, sub.id)
            #expect(shown["failed"] as? Int == 3 && shown["dead"] as? Int == 0, "\(shown)")
            #expect(try await FaultCLI.dead(h.redis.url, sub.id).isEmpty)
            #expect(try db.integer(["ZCARD", WebhookQueueKeys.due]) == 0, "nothing left to deliver")
        }

        @Test func aReceiverDownPastTheLastAttemptIsDeadThenReplayDeliversIt() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let port = try freeLoopbackPort()  // nothing listens here until the receiver "comes back"
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, schedule: [0, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let sub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(port)/late")
            try h.addNode()
            try h.addNode()

            try #require(try FaultFacts.post(h.port(1), "wf-room", "wf-down", "entered"))
            let id = try Fault.eventID(db, session: "wf-down")
            var dead: [[String: Any]] = []
            #expect(await eventually(seconds: 10) {
                dead = (try? await FaultCLI.dead(h.redis.url, sub.id)) ?? []
                return !dead.isEmpty
            })
            #expect(dead.count == 1)
            #expect(dead.first?["event_id"] as? String == id)
            #expect(dead.first?["attempts"] as? Int == 3, "the schedule's three attempts: \(dead)")
            #expect(dead.first?["last_status"] is NSNull, "\(dead)")
            let lastError = dead.first?["last_error"] as? String ?? ""
            #expect(lastError.contains("connect failed"), "\(dead)")
            let shown = try await FaultCLI.show(h.redis.url, sub.id)
            #expect(shown["dead"] as? Int == 1 && shown["failed"] as? Int == 3 && shown["delivered"] as? Int == 0, "\(shown)")

            // The receiver comes up on that port; ops replay the dead letter.
            let receiver = try FaultReceiver(pki: pki, port: port, paths: ["/late": ["secret": sub.secret]])
            defer { receiver.stop() }
            let replayed = try await WebhooksCommand.run(arguments: ["replay", sub.id, "--redis", h.redis.url], environment: [:])
            #expect(replayed == "{\"replayed\":1}")
            #expect(eventually(seconds: 10) { receiver.delivered("/late") == [id] }, "\(receiver.requests("/late").map(\.answer))")
            Fault.expectVerified(receiver.requests("/late"))
            #expect(await eventually(seconds: 5) { (try? await FaultCLI.counter(h.redis.url, sub.id, "delivered")) == 1 })
            #expect(try await FaultCLI.dead(h.redis.url, sub.id).isEmpty, "the replayed letter left the dead letters")
        }

        /// One node here: the node that got the 410 re-reads the subscriptions at once, so the event emitted
        /// next is never sent; another node would pick the change up within its 1 s reload (contract §5).
        @Test func a410DisablesTheSubscriptionAndNothingMoreIsSent() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let receiver = try FaultReceiver(pki: pki)
            defer { receiver.stop() }
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, schedule: [0, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let sub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/gone")
            try receiver.control(["/gone": ["secret": sub.secret, "default": 410]])
            try h.addNode()

            try #require(try FaultFacts.post(h.port(0), "wf-room", "wf-gone-1", "entered"))
            let first = try Fault.eventID(db, session: "wf-gone-1")
            var shown: [String: Any] = [:]
            #expect(await eventually(seconds: 10) {
                shown = (try? await FaultCLI.show(h.redis.url, sub.id)) ?? [:]
                return shown["disabled_reason"] as? String == "gone"
            }, "\(shown)")
            #expect(shown["enabled"] as? Bool == false && shown["dead"] as? Int == 1, "\(shown)")
            let dead = try await FaultCLI.dead(h.redis.url, sub.id)
            #expect(dead.count == 1 && dead.first?["event_id"] as? String == first && dead.first?["last_status"] as? Int == 410
                    && dead.first?["attempts"] as? Int == 1, "a 410 is final: \(dead)")
            #expect(receiver.requests("/gone").count == 1, "no retry after a 410")

            // The next event is read and acknowledged, and nothing is sent for the disabled subscription.
            try #require(try FaultFacts.post(h.port(0), "wf-room", "wf-gone-2", "entered"))
            _ = try Fault.eventID(db, session: "wf-gone-2")
            #expect(eventually(seconds: 10) { Self.consumed(db) }, "the webhooks group read and acknowledged every entry")
            #expect(try db.integer(["ZCARD", WebhookQueueKeys.due]) == 0, "no delivery waits for a disabled subscription")
            #expect(receiver.requests("/gone").count == 1, "nothing sent after the 410: \(receiver.requests("/gone").map(\.id))")
        }

        @Test func a429RetryAfterHoldsTheNextAttemptBackAtLeastThatLong() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let receiver = try FaultReceiver(pki: pki)
            defer { receiver.stop() }
            // The schedule alone would retry after 20 ms; the receiver asks for 2 s (429) and 1 s (503).
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, schedule: [0, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let busy = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/busy")
            let unavailable = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/unavailable")
            try receiver.control(["/busy": ["secret": busy.secret, "script": [["status": 429, "retry_after": "2"]]],
                                  "/unavailable": ["secret": unavailable.secret, "script": [["status": 503, "retry_after": "1"]]]])
            try h.addNode()
            try h.addNode()

            try #require(try FaultFacts.post(h.port(0), "wf-room", "wf-busy", "entered"))
            let id = try Fault.eventID(db, session: "wf-busy")
            #expect(eventually(seconds: 15) { receiver.delivered("/busy") == [id] && receiver.delivered("/unavailable") == [id] })
            for (path, seconds) in [("/busy", 2.0), ("/unavailable", 1.0)] {
                let attempts = receiver.requests(path)
                #expect(attempts.map(\.answer) == [path == "/busy" ? 429 : 503, 204], "\(path): \(attempts.map(\.answer))")
                Fault.expectVerified(attempts)
                if attempts.count == 2 {
                    let gap = attempts[1].time - attempts[0].time
                    #expect(gap >= seconds, "\(path): the retry came \(gap) s after the answer asked for \(seconds) s")
                }
            }
        }

        @Test func aReceiverThatNeverAnswersTimesOutIsRecordedAndLeavesNoConnectionOpen() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let receiver = try FaultReceiver(pki: pki)
            defer { receiver.stop() }
            let h = try EventsCluster(nodes: 0) { c in
                Fault.configure(&c, caFile: pki.caCertificate, schedule: [0, 20, 20])
                c.webhook.timeoutSeconds = 1
            }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            // Same origin for both: the hung requests and the healthy ones share each node's connection pool.
            let hang = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/hang", events: "client_webinar_entered")
            let ok = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)/ok", events: "client_webinar_left")
            try receiver.control(["/hang": ["secret": hang.secret, "default": "hang"], "/ok": ["secret": ok.secret]])
            try h.addNode()
            try h.addNode()

            let sessions = (0..<4).map { "wf-hang-\($0)" }
            for (i, s) in sessions.enumerated() { try #require(try FaultFacts.post(h.port(i % 2), "wf-room", s, "entered")) }
            var dead: [[String: Any]] = []
            #expect(await eventually(seconds: 20) {
                dead = (try? await FaultCLI.dead(h.redis.url, hang.id)) ?? []
                return dead.count == sessions.count
            }, "\(dead)")
            #expect(dead.allSatisfy { $0["attempts"] as? Int == 3 && $0["last_status"] is NSNull }, "\(dead)")
            #expect(dead.allSatisfy { ($0["last_error"] as? String ?? "").contains("request timeout") }, "\(dead)")
            let hung = receiver.requests("/hang")
            #expect(hung.count >= sessions.count && hung.allSatisfy { $0.answer == nil }, "\(hung.count) hung requests")
            Fault.expectVerified(hung)
            // Every connection that carried a request we never answered was closed by the node.
            #expect(eventually(seconds: 5) { receiver.count("hang_end") == receiver.requests("/hang").count },
                    "\(receiver.count("hang_end")) of \(receiver.requests("/hang").count) hung connections closed")

            // The pools are not stuck: the healthy path gets everything emitted next.
            for (i, s) in sessions.enumerated() { try #require(try FaultFacts.post(h.port(i % 2), "wf-room", s, "left")) }
            let left = try FaultFacts.eventIDs(db, hooks: ["client_webinar_left"])
            #expect(left.count == sessions.count)
            #expect(eventually(seconds: 10) { receiver.delivered("/ok") == left }, "\(receiver.delivered("/ok").count) of \(left.count)")
            Fault.expectVerified(receiver.requests("/ok"))
            let shown = try await FaultCLI.show(h.redis.url, hang.id)
            #expect(shown["dead"] as? Int == sessions.count && shown["failed"] as? Int == 3 * sessions.count, "\(shown)")
        }
    }
}

extension WebhookFaultTests.Retries {
    /// True once the `webhooks` group has read every `wg:events` entry and none is pending.
    static func consumed(_ db: EventsRedis) -> Bool {
        guard let groups = try? db.command(["XINFO", "GROUPS", "wg:events"]).array, let group = groups.first?.array,
              let last = try? db.command(["XREVRANGE", "wg:events", "+", "-", "COUNT", "1"]).array?.first?.array?.first?.string else { return false }
        var fields: [String: RedisReply] = [:]
        var i = 0
        while i + 1 < group.count {
            if let k = group[i].string { fields[k] = group[i + 1] }
            i += 2
        }
        return fields["last-delivered-id"]?.string == last && fields["pending"]?.integer == 0
    }
}
