// The Standard Webhooks body built from `wg:events` entry fields: the payload bytes are embedded
// verbatim (key order, number spelling and escapes unchanged), and malformed entries are refused. Pure.
import Testing
@testable import Gateway

@Suite struct WebhookEnvelopeTests {
    static let payload = #"{"lead_id":"lead-1","webinar_id":"w1","a":1.50,"b":"caf\u00e9","c":[true,null]}"#

    static func fields(_ payload: String = payload) -> [(String, [UInt8])] {
        [("event_id", Array("evt_1".utf8)), ("hook", Array("client_webinar_left".utf8)), ("payload", Array(payload.utf8)),
         ("emitted_at", Array("2026-11-29T10:15:30.123Z".utf8))]
    }

    @Test func embedsThePayloadVerbatim() throws {
        let e = try WebhookEnvelope(fields: Self.fields())
        #expect(e.eventID == "evt_1" && e.hook == "client_webinar_left" && e.emittedAt == "2026-11-29T10:15:30.123Z")
        let expected = #"{"type":"client_webinar_left","timestamp":"2026-11-29T10:15:30.123Z","data":"# + Self.payload + "}"
        #expect(String(decoding: e.body, as: UTF8.self) == expected)
        let spaced = try WebhookEnvelope(fields: Self.fields(" \n{ }\t"))
        #expect(String(decoding: spaced.body, as: UTF8.self).hasSuffix(#""data": \#n{ }"# + "\t}"))
    }

    @Test func namesTheSubscriptionADisableNoticeIsAbout() throws {
        func envelope(_ hook: String, _ payload: String) throws -> WebhookEnvelope {
            try WebhookEnvelope(fields: [("event_id", Array("evt_d".utf8)), ("hook", Array(hook.utf8)), ("payload", Array(payload.utf8)),
                                         ("emitted_at", Array("2026-12-04T21:00:00.000Z".utf8))])
        }
        let notice = #"{"webhook_id":"wh_9e","url":"https://x","reason":"gone","failing_for_seconds":0,"timestamp":"t"}"#
        #expect(try envelope("webhook_endpoint_disabled", notice).disabledSubscriptionID == "wh_9e")
        #expect(try envelope("client_webinar_left", notice).disabledSubscriptionID == nil, "only the disable notice")
        #expect(try envelope("webhook_endpoint_disabled", #"{"webhook_id":5}"#).disabledSubscriptionID == nil)
        #expect(try envelope("webhook_endpoint_disabled", "{ broken }").disabledSubscriptionID == nil)
    }

    @Test func signsTheExactBody() throws {
        let e = try WebhookEnvelope(fields: Self.fields())
        let secret = try WebhookSecret.parse(WebhookSignerTests.vectors[0].secret).get()
        let header = WebhookSigner.header(secrets: [secret], id: e.eventID, timestamp: 1_764_411_330, body: e.body)
        try WebhookSigner.verify(header, secrets: [secret], id: "evt_1", timestamp: "1764411330", body: e.body, nowSeconds: 1_764_411_330)
    }

    @Test func escapesTheHookAndTime() throws {
        let e = try WebhookEnvelope(eventID: "e", hook: "a\"b", emittedAt: "t\\", payload: Array("{}".utf8))
        #expect(String(decoding: e.body, as: UTF8.self) == #"{"type":"a\"b","timestamp":"t\\","data":{}}"#)
    }

    @Test func refusesMalformedEntries() {
        for missing in ["event_id", "hook", "payload", "emitted_at"] {
            #expect(throws: WebhookEnvelope.MalformedEntry.missingField(missing)) { try WebhookEnvelope(fields: Self.fields().filter { $0.0 != missing }) }
        }
        #expect(throws: WebhookEnvelope.MalformedEntry.missingField("hook")) {
            try WebhookEnvelope(fields: Self.fields().map { $0.0 == "hook" ? ("hook", []) : $0 })
        }
        for bad in ["[1]", "\"x\"", "{", "}", "  ", "{\"a\":1} x", "null"] {
            #expect(throws: WebhookEnvelope.MalformedEntry.payloadNotObject) { try WebhookEnvelope(fields: Self.fields(bad)) }
        }
    }
}
