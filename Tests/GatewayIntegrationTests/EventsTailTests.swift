// `gateway events tail` (contract §9) against a real stream: one JSON line per event with the entry's
// fields and the payload embedded as JSON. Without --follow it prints what exists and exits (the last N,
// or everything after --from up to N, even when N is more than the stream holds); --follow waits for new
// events (from `$` unless --from says otherwise).
import GatewayTestSupport
import Foundation
import Synchronization
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct Tail {
        @Test func tailPrintsEventsAsJSONLines() async throws {
            let h = try NodeHarness(nodes: 1)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let w = "w-tail"
            let t = EventsAuth.attendee(session: "ts-1", lead: "lead-t")
            #expect(try EventsHTTP.fact(h.port(), w, "ts-1", body: "{\"type\":\"entered\"}", token: t).isFact(["client_webinar_entered"], duplicate: false))
            #expect(try EventsHTTP.fact(h.port(), w, "ts-1", body: "{\"type\":\"completed\"}", token: t)
                .isFact(["client_webinar_completed", "webinar_completed"], duplicate: false))
            let entries = try db.entries()
            try #require(entries.count == 3)

            var lines: [String] = []
            try await EventsTailCommand.run(arguments: ["tail", "--from", "0", "--count", "3"], environment: ["GATEWAY_REDIS_URL": h.redis.url]) {
                lines.append($0)
            }
            #expect(lines.count == 3)
            for (line, entry) in zip(lines, entries) {
                let o = JSONValue.parse(line)?.object
                #expect(o.map { Set($0.keys) } == ["id", "event_id", "hook", "payload", "emitted_at"], "\(line)")
                #expect(o?["id"] == .string(entry.id) && o?["event_id"] == .string(entry.eventID) && o?["hook"] == .string(entry.hook), "\(line)")
                #expect(o?["payload"]?.object != nil && o?["payload"] == entry.field("payload").flatMap(JSONValue.parse), "\(line)")
                #expect(o?["emitted_at"]?.string.flatMap(ISOCheck.date) != nil, "\(line)")
            }

            // Without --follow, what exists, and then it exits: more asked than there is, the last N, after an id.
            func tail(_ args: [String]) async throws -> [String] {
                var out: [String] = []
                try await EventsTailCommand.run(arguments: ["tail"] + args, environment: ["GATEWAY_REDIS_URL": h.redis.url]) { out.append($0) }
                return out.compactMap { JSONValue.parse($0)?.object?["id"]?.string }
            }
            #expect(try await tail(["--from", "0", "--count", "10"]) == entries.map(\.id), "all 3 of 10 asked, then it returns")
            #expect(try await tail(["--from", "0"]) == entries.map(\.id))
            #expect(try await tail([]) == entries.map(\.id), "the last 10 (here: 3), oldest first")
            #expect(try await tail(["--count", "2"]) == entries.suffix(2).map(\.id))
            #expect(try await tail(["--from", entries[0].id]) == entries.dropFirst().map(\.id), "after the id named")
            #expect(try await tail(["--from", entries[2].id, "--count", "5"]).isEmpty)

            // --follow: only events appended after the start. Post fresh events until the tail prints one.
            let got = Mutex<[String]>([])
            let done = Counter()
            let url = h.redis.url
            let tail = Task {
                defer { done.increment() }
                try await EventsTailCommand.run(arguments: ["tail", "--follow", "--count", "1", "--redis", url], environment: [:]) { line in
                    got.withLock { $0.append(line) }
                }
            }
            var posted = 0
            while !(done.count > 0) && posted < 100 {
                let r = try EventsHTTP.fact(h.port(), w, "ts-1", body: "{\"type\":\"form_submitted\",\"form_id\":\"f\",\"form_payload\":{}}", token: t)
                #expect(r.status == 200)
                posted += 1
                _ = eventually(seconds: 0.1) { (done.count > 0) }
            }
            let finished = (done.count > 0)
            try #require(finished, "the tail printed nothing after \(posted) new events")
            try await tail.value
            let line = got.withLock { $0 }
            #expect(line.count == 1)
            let hook = line.first.flatMap { JSONValue.parse($0)?.object?["hook"] }
            #expect(hook == .string("client_webinar_form_submitted"), "\(line)")

            // Usage errors.
            for args in [["tail", "--count", "0", "--redis", url], ["tail", "--bogus", "1", "--redis", url], ["follow"], ["tail"],
                         ["tail", "--from", "$", "--redis", url], ["tail", "--from", "yesterday", "--redis", url]] {
                await #expect(throws: ConfigurationError.self, "\(args)") {
                    try await EventsTailCommand.run(arguments: args, environment: [:]) { _ in }
                }
            }
        }
    }
}
