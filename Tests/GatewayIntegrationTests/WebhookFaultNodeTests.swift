// Delivery survives the loss of a node or of Redis (contract §5 "at least once, from any node"):
// - a real `gateway serve` child (the debug build) SIGKILLed mid-batch, some deliveries hung at the
//   receiver and the rest claimed and waiting: an in-process node takes them over once the dead node's
//   leases (`--webhook-claim-after 500ms`) end and delivers every one; the hung connections die with it;
// - Redis SIGKILLed and restarted (fsync'd append-only file) while deliveries are in progress: every
//   event the stream kept reaches the receiver, before and after the restart, none dead.
// Plain-HTTP receivers on loopback (TLS is covered by the other fault tests); all waits `eventually`.
import Foundation
import GatewayTestSupport
import Glibc
import Testing
@testable import Gateway

extension WebhookFaultTests {
    @Suite struct Nodes {
        @Test(.enabled(if: GatewayProcess.executable != nil, "needs .build/debug/gateway (swift build)"))
        func aNodeKilledMidBatchLeavesTheRestToTheOtherNode() async throws {
            try #require(FaultPython.available, "python3 is needed")
            let receiver = try FaultReceiver()
            defer { receiver.stop() }
            let h = try EventsCluster(nodes: 0) { c in
                Fault.configure(&c, caFile: nil, schedule: [0, 50, 50, 50, 50])
                c.webhook.claimAfterMillis = 500
            }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let sub = try await FaultCLI.add(h.redis.url, "http://127.0.0.1:\(receiver.port)/batch")
            // First the child alone: it claims the whole batch; its first two requests hang at the receiver,
            // the rest are answered slowly.
            try receiver.control(["/batch": ["secret": sub.secret, "first": ["hang", "hang"], "default": ["status": 204, "delay_ms": 100]]])
            let child = try GatewayProcess(redisURL: h.redis.url, stateDir: h.stateDir + "/child", extra: [
                "--webhook-allow-private", "--webhook-retry-schedule", "0,50ms,50ms,50ms,50ms", "--webhook-timeout", "60",
                "--webhook-claim-after", "500ms",
            ])
            defer { child.stop() }
            let sessions = (0..<40).map { "wf-kill-\($0)" }
            for s in sessions { try #require(try FaultFacts.post(child.port, "wf-kill", s, "entered"), "fact on the child") }
            let ids = try FaultFacts.eventIDs(db)
            #expect(ids.count == sessions.count)
            // Each delivery is held by the child (its record names a holder) or already delivered by it.
            #expect(eventually(seconds: 10) {
                let delivered = receiver.delivered("/batch")
                return ids.allSatisfy { id in
                    delivered.contains(id) || (try? db.string(["HGET", WebhookQueueKeys.delivery(sub: sub.id, event: id), "holder"]))?.isEmpty == false
                }
            }, "the child holds all \(ids.count) deliveries")

            // The other node joins (a live node's work is never taken), and the child dies mid-batch: two
            // requests hung, some delivered, the rest in flight or waiting in it.
            try h.addNode()
            _ = eventually(seconds: 10) { receiver.delivered("/batch").count >= 5 }
            #expect(receiver.delivered("/batch").count < ids.count, "the kill comes mid-batch")
            let killedAt = Date().timeIntervalSince1970
            child.stop()
            #expect(eventually(seconds: 5) { receiver.count("hang_end") == receiver.requests("/batch").filter { $0.answer == nil }.count },
                    "the hung connections closed with the child")

            #expect(eventually(seconds: 20) { receiver.delivered("/batch") == ids }, "\(receiver.delivered("/batch").count) of \(ids.count)")
            let after = receiver.requests("/batch").filter { $0.time > killedAt && $0.answer == 204 }
            #expect(!after.isEmpty, "the surviving node delivered the rest")
            Fault.expectVerified(receiver.requests("/batch"))
            #expect(await eventually(seconds: 5) { (try? await FaultCLI.counter(h.redis.url, sub.id, "delivered")) == ids.count },
                    "each delivery settled once")
            #expect(try await FaultCLI.dead(h.redis.url, sub.id).isEmpty)
            #expect(try db.integer(["ZCARD", WebhookQueueKeys.due]) == 0)
        }

        @Test func aRedisRestartMidRunLosesNothingTheStreamKept() async throws {
            try #require(FaultPython.available, "python3 is needed")
            let receiver = try FaultReceiver()
            defer { receiver.stop() }
            let h = try EventsCluster(nodes: 0, redisArguments: ["--appendonly", "yes", "--appendfsync", "always"]) { c in
                Fault.configure(&c, caFile: nil, schedule: [0, 50, 100, 200, 400, 800])
                c.webhook.claimAfterMillis = 1000
            }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let sub = try await FaultCLI.add(h.redis.url, "http://127.0.0.1:\(receiver.port)/r")
            // Slow answers (1 s; up to 32 in flight per subscription per node) keep the run going past the restart.
            try receiver.control(["/r": ["secret": sub.secret, "default": ["status": 204, "delay_ms": 1000]]])
            try h.addNode()
            try h.addNode()

            for i in 0..<100 { try #require(try FaultFacts.post(h.port(i % 2), "wf-redis", "wf-rb-\(i)", "entered")) }
            _ = eventually(seconds: 10) { receiver.delivered("/r").count >= 20 }
            #expect(receiver.delivered("/r").count < 100, "the restart comes mid-run")
            h.redis.kill()
            try h.redis.restart()
            #expect(eventually(seconds: 15) { h.live.allSatisfy { $0.isReady } }, "nodes reconnected")
            for i in 0..<100 {
                let posted = try retrying(seconds: 10) { () throws -> Bool in
                    guard try FaultFacts.post(h.port(i % 2), "wf-redis", "wf-ra-\(i)", "entered") else { throw TestClientError.closed }
                    return true
                }
                #expect(posted)
            }
            let kept = try FaultFacts.eventIDs(db)
            #expect(kept.count == 200, "the stream kept every acknowledged fact: \(kept.count)")
            #expect(eventually(seconds: 30, interval: 0.1) { receiver.delivered("/r").isSuperset(of: kept) },
                    "\(kept.subtracting(receiver.delivered("/r")).count) of \(kept.count) missing")
            Fault.expectVerified(receiver.requests("/r"))
            #expect(try await FaultCLI.dead(h.redis.url, sub.id).isEmpty)
            #expect(eventually(seconds: 10) { (try? db.integer(["ZCARD", WebhookQueueKeys.due])) == 0 })
        }
    }
}
