// Webhook delivery end to end: two real nodes on one redis-server, a subscription added with
// `gateway webhooks add` (the CLI's code), client facts POSTed to the nodes, and a real HTTP receiver (the
// Python test server) getting each emitted event once, as Standard Webhooks v1 with a signature that
// verifies under the secret the CLI printed. Loopback only; the receiver and Redis are stopped by PID.
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway
import HTTPServer
import RedisStore

@Suite(.serialized) struct WebhookDeliveryTests {
    @Test func factsOnTwoNodesReachTheReceiverSignedAndOnce() async throws {
        try #require(TestHTTPServer.available, "python3 is needed for the receiver")
        let receiver = try TestHTTPServer()
        defer { receiver.stop() }
        let h = try EventsCluster(nodes: 0) { config in
            config.webhook.allowPrivate = true
            config.webhook.settings.retryScheduleMillis = [0, 20, 20]
        }
        defer { h.stop() }
        let db = try EventsRedis(url: h.redis.url)
        defer { db.close() }
        let added = try await WebhooksCommand.run(
            arguments: ["add", "http://127.0.0.1:\(receiver.port)/204", "--events", "client_webinar_entered,client_webinar_left",
                        "--redis", h.redis.url, "--webhook-allow-private"], environment: [:])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any], "\(added)")
        let secretText = try #require(json["secret"] as? String)
        let secret = try WebhookSecret.parse(secretText).get()
        #expect((try? db.integer(["SCARD", WebhookQueueKeys.ids])) == 1)
        // The nodes start after the subscription exists: each reads it before its first stream entry.
        try h.addNode()
        try h.addNode()

        let sessions = (0..<20).map { "wd-\($0)" }
        var expected = Set<String>()
        for (i, s) in sessions.enumerated() {
            let token = EventsAuth.attendee(session: s, lead: "lead-\(i)", sub: "wd-user-\(i)")
            let entered = try EventsHTTP.fact(h.port(i % 2), "wd-room", s, body: "{\"type\":\"entered\"}", token: token)
            #expect(entered.status == 200, "\(entered.status) \(entered.text)")
            let left = try EventsHTTP.fact(h.port((i + 1) % 2), "wd-room", s, body: "{\"type\":\"left\",\"leave_reason\":\"done\"}", token: token)
            #expect(left.status == 200, "\(left.status) \(left.text)")
        }
        for e in try db.entries() where e.hook == "client_webinar_entered" || e.hook == "client_webinar_left" {
            expected.insert(e.eventID)
        }
        #expect(expected.count == 40)
        #expect(eventually(seconds: 15) { Set(receiver.requests.compactMap { Self.header($0, "webhook-id") }).isSuperset(of: expected) },
                "received \(receiver.requests.count) of \(expected.count)")
        let requests = receiver.requests
        let ids = requests.compactMap { Self.header($0, "webhook-id") }
        #expect(ids.count == Set(ids).count, "no duplicates when nothing fails: \(ids.count) requests, \(Set(ids).count) ids")
        let now = Int64(Date().timeIntervalSince1970)
        for r in requests {
            #expect(r.requestLine.hasPrefix("POST /204 HTTP/1.1"))
            #expect(Self.header(r, "content-type") == "application/json")
            #expect(throws: Never.self) {
                try WebhookSigner.verify(Self.header(r, "webhook-signature") ?? "", secrets: [secret], id: Self.header(r, "webhook-id") ?? "",
                                         timestamp: Self.header(r, "webhook-timestamp") ?? "", body: r.body, nowSeconds: now)
            }
            let body = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
            #expect(["client_webinar_entered", "client_webinar_left"].contains(body["type"] as? String ?? ""))
            #expect(((body["data"] as? [String: Any])?["lead_id"] as? String)?.hasPrefix("lead-") == true, "the canon payload is the data")
        }
        // /metrics: this node's attempts by outcome, and the backlog every node reads from Redis.
        var delivered = 0
        for i in 0..<2 {
            let m = try RoomHTTP.send(h.port(i), method: "GET", "/metrics")
            #expect(m.status == 200)
            delivered += Self.metric(m.text, "gateway_webhook_attempts_total{outcome=\"delivered\"}") ?? 0
            #expect(Self.metric(m.text, "gateway_webhook_attempts_total{outcome=\"retry\"}") == 0)
            #expect(m.text.contains("gateway_webhook_attempt_duration_seconds_count"))
            #expect(await eventually { (try? RoomHTTP.send(h.port(i), method: "GET", "/metrics")).flatMap { Self.metric($0.text, "gateway_webhook_pending_deliveries") } == 0 })
            #expect(Self.metric(m.text, "gateway_webhook_subscriptions") == 1 && Self.metric(m.text, "gateway_webhook_disabled_subscriptions") == 0)
            #expect(Self.metric(m.text, "gateway_webhook_dead_letters") == 0)
            #expect(Self.metric(m.text, "gateway_webhook_oldest_pending_age_seconds") != nil)
        }
        #expect(delivered == requests.count, "every request the receiver got is one delivered attempt of one of the nodes")
    }

    /// The value of one sample line `name value` of a Prometheus text answer.
    static func metric(_ text: String, _ name: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1)).map { Int($0) }
        }
        return nil
    }

    static func header(_ r: TestHTTPServer.Received, _ name: String) -> String? {
        r.headers.first { $0.first?.lowercased() == name }?.last
    }
}
