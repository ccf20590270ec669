// Targets a node must refuse (contract §5), each recorded as a failure (dead letter `last_error`,
// `failed`/`dead` counters) and never sent: a certificate from a CA the node does not trust, a
// certificate for another host name, and — on nodes without allow-private — a plain-http URL, a
// loopback IP literal and a name (`localhost`) that resolves to loopback. The receivers are real
// (webhook_fault_receiver.py over openssl-made certificates) and their logs must show zero requests;
// a trusted, correctly named receiver on the same nodes gets the same event, so the refusals are the
// targets' fault, not a broken client. Loopback only; receivers and Redis stopped by PID.
import Foundation
import GatewayTestSupport
import Glibc
import Testing
@testable import Gateway

extension WebhookFaultTests {
    @Suite struct Refusals {
        @Test func anUntrustedCertificateAndAWrongHostNameAreRefusedBeforeAnyRequest() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let trusted = try TestPKI()
            defer { trusted.remove() }
            let otherName = try TestPKI(commonName: "wrong.example", subjectAltName: "DNS:wrong.example")
            defer { otherName.remove() }
            let untrusted = try TestPKI()
            defer { untrusted.remove() }
            // The nodes trust the first two CAs (so the wrong-name certificate's chain is good), not the third.
            let caFile = trusted.directory + "/trusted-cas.pem"
            let bundle = try String(contentsOfFile: trusted.caCertificate, encoding: .utf8)
                + String(contentsOfFile: otherName.caCertificate, encoding: .utf8)
            try bundle.write(toFile: caFile, atomically: true, encoding: .utf8)

            let good = try FaultReceiver(pki: trusted)
            defer { good.stop() }
            let wrong = try FaultReceiver(pki: otherName)
            defer { wrong.stop() }
            let bad = try FaultReceiver(pki: untrusted)
            defer { bad.stop() }
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: caFile, schedule: [0, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let okSub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(good.port)/ok")
            let wrongSub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(wrong.port)/wrong-name")
            let badSub = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(bad.port)/untrusted")
            try good.control(["/ok": ["secret": okSub.secret]])
            try h.addNode()
            try h.addNode()

            try #require(try FaultFacts.post(h.port(0), "wf-room", "wf-tls", "entered"))
            let id = try Fault.eventID(db, session: "wf-tls")
            #expect(eventually(seconds: 10) { good.delivered("/ok") == [id] }, "the trusted receiver gets it")
            Fault.expectVerified(good.requests("/ok"))
            for (sub, receiver, reason) in [(wrongSub, wrong, "hostname mismatch"), (badSub, bad, "certificate verify failed")] {
                let letters = try await Self.deadLetters(h, sub.id)
                #expect(letters.count == 1 && letters.first?["event_id"] as? String == id, "\(reason): \(letters)")
                #expect(letters.first?["attempts"] as? Int == 3 && letters.first?["last_status"] is NSNull, "\(letters)")
                let error = letters.first?["last_error"] as? String ?? ""
                #expect(error.contains("TLS failed") && error.contains(reason), "\(reason): \(error)")
                #expect(receiver.requests().isEmpty, "\(reason): nothing was sent, got \(receiver.requests().count) requests")
                #expect(receiver.count("tls_error") >= 1, "\(reason): the receiver saw the handshake refused")
                let shown = try await FaultCLI.show(h.redis.url, sub.id)
                #expect(shown["failed"] as? Int == 3 && shown["dead"] as? Int == 1 && shown["delivered"] as? Int == 0, "\(shown)")
            }
        }

        @Test func plainHTTPAndPrivateTargetsAreRefusedWithoutAllowPrivate() async throws {
            try #require(FaultPython.available && OpenSSLCLI.available, "python3 and openssl are needed")
            let pki = try TestPKI()
            defer { pki.remove() }
            let tls = try FaultReceiver(pki: pki)
            defer { tls.stop() }
            let plain = try FaultReceiver()
            defer { plain.stop() }
            let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, allowPrivate: false, schedule: [0, 20, 20]) }
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let targets = [("http://127.0.0.1:\(plain.port)/plain", "plain http refused"),
                           ("https://127.0.0.1:\(tls.port)/private", "address refused"),
                           ("https://localhost:\(tls.port)/name", "address refused")]
            // Where it can be told, creation refuses them without allow-private (422 in the admin API)...
            for (url, _) in targets {
                await #expect(throws: ConfigurationError.self, "\(url)") {
                    _ = try await WebhooksCommand.run(arguments: ["add", url, "--redis", h.redis.url], environment: [:])
                }
            }
            // ...but a subscription stored with it (another node, an earlier setting) must still never be sent.
            var subs: [(id: String, reason: String)] = []
            for (url, reason) in targets { subs.append((try await FaultCLI.add(h.redis.url, url).id, reason)) }
            try h.addNode()
            try h.addNode()

            try #require(try FaultFacts.post(h.port(1), "wf-room", "wf-private", "entered"))
            let id = try Fault.eventID(db, session: "wf-private")
            for sub in subs {
                let letters = try await Self.deadLetters(h, sub.id)
                #expect(letters.count == 1 && letters.first?["event_id"] as? String == id && letters.first?["attempts"] as? Int == 3,
                        "\(sub.reason): \(letters)")
                let error = letters.first?["last_error"] as? String ?? ""
                #expect(error.contains(sub.reason), "expected '\(sub.reason)': \(error)")
                let shown = try await FaultCLI.show(h.redis.url, sub.id)
                #expect(shown["failed"] as? Int == 3 && shown["dead"] as? Int == 1, "\(shown)")
            }
            // Never sent, not even connected to.
            for receiver in [tls, plain] {
                #expect(receiver.requests().isEmpty && receiver.count("connect") == 0 && receiver.count("tls_error") == 0,
                        "\(receiver.entries.filter { $0["event"] as? String != "listening" }.prefix(3))")
            }
        }
    }
}

extension WebhookFaultTests.Refusals {
    /// The dead letters of `id` once there is at least one (empty after 10 s).
    static func deadLetters(_ h: EventsCluster, _ id: String) async throws -> [[String: Any]] {
        var letters: [[String: Any]] = []
        _ = await eventually(seconds: 10) {
            letters = (try? await FaultCLI.dead(h.redis.url, id)) ?? []
            return !letters.isEmpty
        }
        return letters
    }
}
