// Tokens over real HTTP on the state route: every forged or broken token is a 401 problem with
// `WWW-Authenticate: Bearer`; scope and session rules are 403; a guest may read.
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct Auth {
        static func b64(_ s: String) -> String { Base64URL.encode(Array(s.utf8)) }

        @Test func forgedAndBrokenTokensAre401() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "w5"
            let now = RoomAuth.now
            let good = RoomAuth.token(.attendee, sub: "a-5")
            let payload = "{\"sub\":\"a-5\",\"role\":\"attendee\",\"exp\":\(now + 3600)}"
            let cases: [(String, String?)] = [
                ("alg none", Self.b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "." + Self.b64(payload) + "."),
                ("alg none signed", JWTSigner.sign(header: "{\"alg\":\"none\",\"kid\":\"k1\"}", payload: payload, secret: RoomAuth.secret)),
                ("alg HS512", JWTSigner.sign(header: "{\"alg\":\"HS512\",\"kid\":\"k1\"}", payload: payload, secret: RoomAuth.secret)),
                ("wrong key", RoomAuth.token(.attendee, sub: "a-5", secret: "not-the-secret")),
                ("unknown kid", RoomAuth.token(.attendee, sub: "a-5", kid: "k9")),
                ("expired", RoomAuth.token(.attendee, sub: "a-5", exp: now - 3600)),
                ("no exp", JWTSigner.sign(header: "{\"alg\":\"HS256\",\"kid\":\"k1\"}", payload: "{\"sub\":\"a-5\",\"role\":\"attendee\"}", secret: RoomAuth.secret)),
                ("bad role", JWTSigner.sign(header: "{\"alg\":\"HS256\",\"kid\":\"k1\"}", payload: "{\"sub\":\"a-5\",\"role\":\"root\",\"exp\":\(now + 3600)}", secret: RoomAuth.secret)),
                ("bad base64", "a.b.c"),
                ("bad base64 chars", "eyJh$.eyJz.abc"),
                ("truncated signature", String(good.dropLast(4))),
                ("two segments", good.split(separator: ".").prefix(2).joined(separator: ".")),
                ("tampered payload", {
                    let p = good.split(separator: ".")
                    return p[0] + "." + Self.b64(payload.replacingOccurrences(of: "attendee", with: "system")) + "." + p[2]
                }()),
                ("empty bearer", ""),
                ("missing header", nil),
            ]
            for (name, token) in cases {
                var headers: [(String, String)] = []
                if let token { headers.append(("Authorization", "Bearer \(token)")) }
                let r = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: headers)
                #expect(r.status == 401, "\(name): \(r.status) \(r.text)")
                #expect(r.header("www-authenticate")?.hasPrefix("Bearer") == true, "\(name): \(r.header("www-authenticate") ?? "none")")
                #expect(r.isProblem, "\(name): \(r.header("content-type") ?? "none")")
                #expect(r.json["status"] as? Int == 401, "\(name)")
                #expect(r.header("etag") == nil, "\(name): a 401 must not leak the state's ETag")
                if let token, token.count > 8 { #expect(!r.text.contains(token), "\(name): token echoed") }
            }
            // Another scheme is "no token" too.
            let basic = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [("Authorization", "Basic dTpw")])
            #expect(basic.status == 401)
            #expect(basic.header("www-authenticate")?.hasPrefix("Bearer") == true)
            // And a poll with a bad token is not parked.
            let parkedBad = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w, wait: "30"), headers: [("Authorization", "Bearer a.b.c"), ("If-None-Match", "*")])
            #expect(parkedBad.status == 401)
            #expect(h.parked() == 0)
        }

        @Test func scopeAndSessionRulesAre403AndGuestsMayRead() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let scoped = RoomAuth.token(.organizer, sub: "o-5", webinar: "w2")
            let r1 = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1"), headers: [("Authorization", "Bearer \(scoped)")])
            #expect(r1.status == 403, "\(r1.text)")
            #expect(r1.isProblem)
            let r1ok = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w2"), headers: [("Authorization", "Bearer \(scoped)")])
            #expect(r1ok.status == 200, "a scoped token reads its own webinar")

            let attendee = RoomAuth.token(.attendee, sub: "a-5", session: "s-own")
            let r2 = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1", session: "other"), headers: [("Authorization", "Bearer \(attendee)")])
            #expect(r2.status == 403, "\(r2.text)")
            #expect(r2.isProblem)
            let r2own = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1", session: "s-own"), headers: [("Authorization", "Bearer \(attendee)")])
            #expect(r2own.status == 200)
            let bare = RoomAuth.token(.attendee, sub: "a-6")  // no session claim: room state only
            let r2bare = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1", session: "s-own"), headers: [("Authorization", "Bearer \(bare)")])
            #expect(r2bare.status == 403)
            let r2room = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1"), headers: [("Authorization", "Bearer \(bare)")])
            #expect(r2room.status == 200)
            // system may read any session
            let r2sys = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1", session: "other"), headers: [("Authorization", "Bearer \(RoomAuth.system)")])
            #expect(r2sys.status == 200)

            let guest = RoomAuth.token(.guest, sub: "g-5", type: .auto)
            let r3 = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget("w1"), headers: [("Authorization", "Bearer \(guest)")])
            #expect(r3.status == 200)
            let j = r3.json
            #expect(j["webinar_id"] as? String == "w1")
            #expect(j["webinar_type"] as? String == "auto", "an untouched room shows the token's type")
            #expect(j["status"] as? String == "scheduled")
            #expect(j["cta_visibility"] as? Bool == false)
            #expect(j["version"] as? Int == 0)
            #expect(j["session"] is NSNull)
        }
    }
}
