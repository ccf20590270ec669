// The signatures a node sends pass the reference Standard Webhooks library: a receiver in Python that
// verifies every request with `standardwebhooks` (scripts/webhook-venv) before answering 204, also after a
// secret rotation while it still holds the previous secret (the node then signs with both). Runs when
// GATEWAY_WEBHOOK_PYTHON names that venv's python (scripts/test sets it); by hand:
// `GATEWAY_WEBHOOK_PYTHON=$(scripts/webhook-venv) swift test --filter WebhookReference`.
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway
import HTTPServer

@Suite(.serialized) struct WebhookReferenceReceiverTests {
    static let python = ProcessInfo.processInfo.environment["GATEWAY_WEBHOOK_PYTHON"] ?? ""

    @Test(.enabled(if: !python.isEmpty, "GATEWAY_WEBHOOK_PYTHON is not set (scripts/test sets it)"))
    func everyDeliveryVerifiesWithTheReferenceLibraryAlsoDuringARotation() async throws {
        let secretFile = NSTemporaryDirectory() + "whsecret-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        let receiver = try TestHTTPServer(python: Self.python, script: "webhook_receiver.py") { log in [log, secretFile] }
        defer { receiver.stop() }
        let h = try EventsCluster(nodes: 0) { config in
            config.webhook.allowPrivate = true
            config.webhook.settings.retryScheduleMillis = [0, 20]
        }
        defer { h.stop() }
        let added = try await WebhooksCommand.run(arguments: ["add", "http://127.0.0.1:\(receiver.port)/hook", "--events", "*",
                                                              "--redis", h.redis.url, "--webhook-allow-private"], environment: [:])
        let sub = try #require(try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any], "\(added)")
        let id = try #require(sub["id"] as? String), secret = try #require(sub["secret"] as? String)
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        try h.addNode()
        try h.addNode()

        func facts(_ prefix: String, _ count: Int) throws {
            for i in 0..<count {
                let s = "\(prefix)-\(i)"
                let token = EventsAuth.attendee(session: s, lead: "lead-\(s)", sub: "user-\(s)")
                let r = try EventsHTTP.fact(h.port(i % 2), "ref-room", s, body: "{\"type\":\"entered\"}", token: token)
                #expect(r.status == 200, "\(r.status) \(r.text)")
            }
        }
        func requests() -> [[String: Any]] { receiver.logEntries.filter { $0["event"] as? String == "request" } }

        try facts("before", 10)
        #expect(eventually(seconds: 15) { requests().count >= 10 }, "received \(requests().count)")
        // Rotate: the nodes sign with the new and the previous secret; the receiver still has only the old one.
        let rotated = try await WebhooksCommand.run(arguments: ["rotate-secret", id, "--redis", h.redis.url], environment: [:])
        #expect(rotated.contains("whsec_") && !rotated.contains(secret))
        try facts("after", 10)
        #expect(eventually(seconds: 15) { requests().count >= 20 }, "received \(requests().count)")
        let all = requests()
        let failed = all.filter { $0["verified"] as? Bool != true }
        #expect(failed.isEmpty, "the reference library refused: \(failed.prefix(3))")
        #expect(Set(all.compactMap { $0["id"] as? String }).count == 20, "each event once")
        #expect(all.allSatisfy { $0["type"] as? String == "client_webinar_entered" })
    }
}
