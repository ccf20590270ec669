// The fan-out answer's byte pieces (pure), and one answer too large for the loop's scratch buffer
// delivered intact through the general path (real node, real Redis).
import Foundation
import Testing
@testable import Gateway
@testable import HTTPServer

@Suite struct FanoutBytesTests {
    @Test func pollBytesKeepTheirThreePartsAndGiveTheHeadersBack() {
        let lines = PrebuiltAnswer.lines([("RateLimit-Policy", "\"state\";q=30;w=15"), ("RateLimit", "\"state\";r=29;t=1"),
                                          ("Preference-Applied", "wait=25")])
        var p = PollBytes(sessionTag: "s3-1xyz", extraLines: lines, sessionTail: "null}")
        #expect(String(decoding: p.bytes[0..<p.tagEnd], as: UTF8.self) == "s3-1xyz")
        #expect(Array(p.bytes[p.tagEnd..<p.linesEnd]) == lines)
        #expect(String(decoding: p.bytes[p.linesEnd...], as: UTF8.self) == "null}")
        #expect(p.tailCount == 5)
        let back = p.extraHeaders
        #expect(back.map(\.0) == ["RateLimit-Policy", "RateLimit", "Preference-Applied"])
        #expect(back.map(\.1) == ["\"state\";q=30;w=15", "\"state\";r=29;t=1", "wait=25"])

        p.replaceSession(tag: "s4-1xyz", tail: "{\"a\":1}}")
        #expect(String(decoding: p.bytes[0..<p.tagEnd], as: UTF8.self) == "s4-1xyz")
        #expect(Array(p.bytes[p.tagEnd..<p.linesEnd]) == lines, "the header lines survive a session change")
        #expect(String(decoding: p.bytes[p.linesEnd...], as: UTF8.self) == "{\"a\":1}}")

        let bare = PollBytes(sessionTag: "", extraLines: [], sessionTail: "null}")
        #expect(bare.tagEnd == 0 && bare.linesEnd == 0 && bare.extraHeaders.isEmpty)
    }

    /// Identifiers are at most 128 characters, so only configuration can make an answer outgrow the
    /// scratch buffer: here an allowed CORS origin of 20,000 bytes (request header limit raised to
    /// 64 KiB), echoed in Access-Control-Allow-Origin.
    /// The woken answer is then assembled piece by piece in the output buffer, byte for byte the same.
    @Test func anAnswerLargerThanTheScratchBufferArrivesIntact() throws {
        let origin = "https://" + String(repeating: "a", count: 20_000) + ".example"
        let h = try NodeHarness {
            $0.corsOrigins = [origin]
            $0.httpLimits.maxHeaderBytes = 64 * 1024
        }
        defer { h.stop() }
        let w = "w-big"
        let auth = ("Authorization", "Bearer \(RoomAuth.token(.attendee, sub: "big-1"))")
        let first = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [auth, ("Origin", origin)])
        try #require(first.status == 200, "\(first.status) \(first.text.prefix(400))")
        #expect(first.header("access-control-allow-origin") == origin)
        let etag = try #require(first.header("etag"))

        let c = try TestClient(port: h.port())
        c.send(RoomHTTP.raw(RoomHTTP.stateTarget(w, wait: "30"), headers: [auth, ("Origin", origin), ("If-None-Match", etag)]))
        #expect(eventually { h.parked() == 1 })
        #expect(try RoomHTTP.cta(h.port(), w, true).status == 200)
        let woken = try c.readResponse()
        #expect(woken.status == 200)
        #expect(woken.headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count } > ResponseScratch.capacityBytes)
        #expect(woken.header("access-control-allow-origin") == origin, "the 20 kB origin came back whole")
        #expect(woken.header("content-length") == String(woken.body.count))
        #expect(woken.json["webinar_id"] as? String == w)
        #expect(woken.json["cta_visibility"] as? Bool == true)
        #expect(woken.header("etag") != etag)
        // The same state read fresh is what the fan-out sent; the connection still works after it.
        c.send(RoomHTTP.raw(RoomHTTP.stateTarget(w), headers: [auth, ("Origin", origin)]))
        let fresh = try c.readResponse()
        #expect(fresh.status == 200 && fresh.body == woken.body && fresh.header("etag") == woken.header("etag"))
        #expect(h.parked() == 0)
    }
}
