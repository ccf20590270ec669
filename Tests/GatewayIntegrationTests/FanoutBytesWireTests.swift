// One fan-out answer too large for the loop's scratch buffer delivered intact through the general path
// (real node, real Redis). The byte pieces themselves are tested pure in GatewayTests/FanoutBytesTests.
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway
@testable import HTTPServer

@Suite struct FanoutBytesWireTests {
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
