// form_payload is carried into the event exactly as the client sent it: big integers and long
// decimals keep every digit (no round trip through Double).
import Testing
@testable import Gateway
import HTTPServer

extension EventsTests {
    @Suite struct PayloadPrecision {
        @Test func formPayloadNumbersKeepEveryDigit() throws {
            let h = try NodeHarness(nodes: 1)
            defer { h.stop() }
            let db = try EventsRedis(url: h.redis.url)
            defer { db.close() }
            let t = EventsAuth.attendee(session: "fp-1", lead: "lead-fp")
            let payload = #"{"big":12345678901234567890,"odd":9007199254740993,"dec":0.1000000000000000055511151231257827,"neg":-0.0,"s":"a\"b"}"#
            let body = #"{"type":"form_submitted","form_id":"form-p","form_payload":"# + payload + "}"
            let r = try EventsHTTP.fact(h.port(0), "w-fp", "fp-1", body: body, token: t)
            #expect(r.isFact(["client_webinar_form_submitted"], duplicate: false), "\(r.status) \(r.text)")
            let entry = try #require(try db.entries(hook: "client_webinar_form_submitted").first)
            let stored = try #require(entry.field("payload"))
            #expect(stored.contains(#""form_payload":"# + payload), "\(stored)")
        }
    }
}
