// The room wake message: the hooks publish the room as it stands (`r:<v>:<status>:<cta>:<type>`) so a
// node answers its polls without reading Redis; a bare `r:<v>` (an older node) still wakes them, through
// one read of the room.
import GatewayTestSupport
import Foundation
@testable import RedisStore
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct Wake {
        @Test func wakeCarriesTheRoomAndOnlyWellFormedOnesAreTaken() {
            #expect(RoomSubscriptions.snapshot(wake: "7:live:1:auto") == RoomSnapshot(version: 7, status: .live, cta: true, storedType: .auto))
            #expect(RoomSubscriptions.snapshot(wake: "2:scheduled:0:live") == RoomSnapshot(version: 2, status: .scheduled, cta: false, storedType: .live))
            for bad in ["7", "", "7:live:1", "7:live:1:auto:x", "x:live:1:auto", "0:live:1:auto", "-3:live:1:auto",
                        "7:dancing:1:auto", "7:live:2:auto", "7:live:1:webinar", "7:live::auto"] {
                #expect(RoomSubscriptions.snapshot(wake: bad) == nil, "\(bad)")
            }
        }

        /// A hook's wake answers parked polls with exactly what a fresh read shows.
        @Test func aHookWakeAnswersWithTheStoredRoom() throws {
            let h = try NodeHarness(nodes: 2)
            defer { h.stop() }
            let w = "w-wake"
            let token = RoomAuth.token(.attendee, sub: "wake-1")
            let e0 = try RoomView.read(h.port(1), w).etag
            let c = try TestClient(port: h.port(1))
            c.send(RoomHTTP.stateRequest(w, token: token, etag: e0, wait: "30"))
            #expect(eventually { h.parked(1) == 1 })
            #expect(try RoomHTTP.status(h.port(0), w, "start").status == 200)
            let woken = try c.readResponse()
            #expect(woken.status == 200)
            #expect(woken.json["status"] as? String == "live")
            let fresh = try RoomHTTP.state(h.port(1), w, token: token)
            #expect(fresh.body == woken.body && fresh.header("etag") == woken.header("etag"))
        }

        /// A bare `r:<version>` wake (as nodes before the snapshot-carrying format published it) still
        /// answers the parked polls: the node reads the room once.
        @Test func aBareVersionWakeStillWakesThroughOneRead() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "w-old-wake"
            let token = RoomAuth.token(.attendee, sub: "wake-2")
            let e0 = try RoomView.read(h.port(), w).etag
            let c = try TestClient(port: h.port())
            c.send(RoomHTTP.stateRequest(w, token: token, etag: e0, wait: "30"))
            #expect(eventually { h.parked() == 1 })
            // What an older node's CTA script did: change the room, publish only the version.
            let keys = RoomKeys(w)
            let lua = """
                local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
                redis.call('HSET', KEYS[1], 'cta', '1', 'status', 'scheduled', 'type', 'live')
                redis.call('PUBLISH', ARGV[1], 'r:' .. v)
                return v
                """
            let reply = BlockingRedis.roundTrip(h.redis.address.endpoint, RedisCommand(["EVAL", lua, "1", keys.room, keys.wakeChannel]),
                                                timeoutMillis: 2_000)
            #expect(reply.map { String(decoding: $0, as: UTF8.self) } == ":1\r\n")
            let woken = try c.readResponse()
            #expect(woken.status == 200)
            #expect(woken.json["cta_visibility"] as? Bool == true)
            #expect(woken.json["version"] as? Int == 1)
            #expect(woken.header("etag") != e0)
        }
    }
}
