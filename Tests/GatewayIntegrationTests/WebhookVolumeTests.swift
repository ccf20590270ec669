// Webhook delivery at volume (contract §5, issue 13): two real nodes on one redis-server, three
// subscriptions with different filters on one real HTTPS receiver (a CA and server certificate made by
// openssl at test time, trusted by the nodes through `webhook.caFile`), and 10,000 events made by 7,500
// client facts POSTed to both nodes over keep-alive connections. Every subscriber gets every matching
// event, the reference `standardwebhooks` library verifies every request, nothing is missing, nothing
// is dead, and duplicates are counted (zero expected when nothing fails). Runs when
// GATEWAY_WEBHOOK_PYTHON names the reference library's venv (scripts/test sets it); bounded by deadlines.
import Dispatch
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway

@Suite(.serialized) struct WebhookVolumeTests {
    /// Sessions; each posts entered, left, completed = 4 events (completed emits two).
    static let sessions = 2500
    static let workers = 4

    @Test(.enabled(if: FaultPython.verifies, "GATEWAY_WEBHOOK_PYTHON is not set (scripts/test sets it)"), .timeLimit(.minutes(3)))
    func tenThousandEventsReachThreeFilteredSubscribersVerifiedAndComplete() async throws {
        try #require(OpenSSLCLI.available, "openssl is needed")
        let started = Date()
        let pki = try TestPKI()
        defer { pki.remove() }
        let receiver = try FaultReceiver(pki: pki)
        defer { receiver.stop() }
        let h = try EventsCluster(nodes: 0) { Fault.configure(&$0, caFile: pki.caCertificate, schedule: [0, 50, 100, 200, 400, 800, 1600]) }
        defer { h.stop() }
        let db = try EventsRedis(url: h.redis.url)
        defer { db.close() }
        let filters: [(path: String, events: String, hooks: Set<String>)] = [
            ("/all", "*", []),
            ("/entered", "client_webinar_entered", ["client_webinar_entered"]),
            ("/mixed", "client_webinar_left,webinar_completed", ["client_webinar_left", "webinar_completed"]),
        ]
        var subs: [String: (id: String, secret: String)] = [:]
        for f in filters {
            subs[f.path] = try await FaultCLI.add(h.redis.url, "https://127.0.0.1:\(receiver.port)\(f.path)", events: f.events)
        }
        try receiver.control(Dictionary(uniqueKeysWithValues: subs.map { ($0.key, ["secret": $0.value.secret] as [String: Any]) }))
        try h.addNode()
        try h.addNode()

        // 7,500 facts over keep-alive connections, four workers on both nodes.
        let posting = Date()
        let ports = [h.port(0), h.port(1)]
        let refused = Counter()
        DispatchQueue.concurrentPerform(iterations: Self.workers) { w in
            let connections = ports.map { FaultKeepAlive(port: $0) }
            for i in stride(from: w, to: Self.sessions, by: Self.workers) {
                let session = "wv-\(i)", token = FaultFacts.token(session)
                for (k, body) in ["{\"type\":\"entered\"}", "{\"type\":\"left\",\"leave_reason\":\"done\"}", "{\"type\":\"completed\"}"].enumerated() {
                    let request = EventsHTTP.factRequest("wv-room-\(i % 50)", session, body: body, token: token)
                    if (try? connections[(i + k) % 2].send(request))?.status != 200 { refused.increment() }
                }
            }
        }
        #expect(refused.count == 0, "\(refused.count) facts not answered 200")
        let posted = Date()
        let stream = try db.entries()
        #expect(stream.count == 4 * Self.sessions, "events in the stream: \(stream.count)")
        var expected: [String: Set<String>] = [:]
        for f in filters { expected[f.path] = Set(stream.filter { f.hooks.isEmpty || f.hooks.contains($0.hook) }.map(\.eventID)) }
        #expect(expected["/all"]?.count == 10_000 && expected["/entered"]?.count == 2_500 && expected["/mixed"]?.count == 5_000)

        var requests: [FaultReceiver.Request] = []
        let complete = eventually(seconds: 90, interval: 1) {
            requests = FaultReceiver.requests(receiver.entries)
            let got = Dictionary(grouping: requests, by: \.path).mapValues { Set($0.filter { ($0.answer ?? 0) / 100 == 2 }.map(\.id)) }
            return filters.allSatisfy { got[$0.path, default: []].isSuperset(of: expected[$0.path, default: []]) }
        }
        let done = Date()
        var duplicates = 0
        for f in filters {
            let mine = requests.filter { $0.path == f.path }
            let ids = mine.map(\.id), unique = Set(ids)
            duplicates += ids.count - unique.count
            let missing = expected[f.path, default: []].subtracting(unique)
            #expect(complete && missing.isEmpty, "\(f.path): \(missing.count) of \(expected[f.path, default: []].count) missing")
            #expect(ids.count - unique.count == 0, "\(f.path): \(ids.count - unique.count) duplicates")
            #expect(unique.subtracting(expected[f.path, default: []]).isEmpty, "\(f.path): only events its filter takes")
            #expect(mine.allSatisfy { $0.verified == true }, "\(f.path): refused by standardwebhooks: \(mine.filter { $0.verified != true }.prefix(3))")
            #expect(mine.allSatisfy { f.hooks.isEmpty || f.hooks.contains($0.type ?? "") }, "\(f.path): body type outside the filter")
            if let sub = subs[f.path] {
                #expect(try await FaultCLI.dead(h.redis.url, sub.id).isEmpty, "\(f.path): dead letters")
                #expect(await eventually(seconds: 10) { (try? await FaultCLI.counter(h.redis.url, sub.id, "delivered")) == expected[f.path]?.count })
            }
        }
        print("webhook volume: \(stream.count) events, \(requests.count) requests, \(duplicates) duplicates; "
              + String(format: "set-up %.1f s, facts posted in %.1f s, all delivered %.1f s after the last fact, %.1f s in all",
                       posting.timeIntervalSince(started), posted.timeIntervalSince(posting), done.timeIntervalSince(posted),
                       done.timeIntervalSince(started)))
    }
}
