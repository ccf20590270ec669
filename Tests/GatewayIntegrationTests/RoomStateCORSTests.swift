// CORS on the state route (contract §2): preflight without auth, and every answer to an allowed
// origin — 200, 304 (immediate and from a parked poll), 401 — carries the grant, `Vary: Origin`
// and exposes ETag. Unlisted origins get nothing.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct CORS {
        static let origin = "https://app.example"

        static func expectGrant(_ r: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.header("access-control-allow-origin") == origin, "\(what): ACAO \(r.header("access-control-allow-origin") ?? "none")", sourceLocation: sourceLocation)
            let vary = r.headers.filter { $0.0 == "vary" }.map(\.1).joined(separator: ",").lowercased()
            #expect(vary.contains("origin"), "\(what): Vary \(vary)", sourceLocation: sourceLocation)
            let expose = (r.header("access-control-expose-headers") ?? "").lowercased()
            for name in ["etag", "ratelimit", "ratelimit-policy", "retry-after"] {
                #expect(expose.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == name }, "\(what): expose \(expose) lacks \(name)", sourceLocation: sourceLocation)
            }
        }

        static func expectNoCORS(_ r: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let cors = r.headers.filter { $0.0.hasPrefix("access-control-") }
            #expect(cors.isEmpty, "\(what): \(cors)", sourceLocation: sourceLocation)
        }

        @Test func allowedOriginGetsCORSOnEveryAnswer() throws {
            let h = try NodeHarness { $0.corsOrigins = [Self.origin] }
            defer { h.stop() }
            let w = "w9"
            let o = ("Origin", Self.origin)

            let pre = try RoomHTTP.send(h.port(), method: "OPTIONS", RoomHTTP.stateTarget(w, wait: "30"), headers: [
                o, ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "authorization, if-none-match, prefer"),
            ])
            #expect(pre.status == 204, "\(pre.status) \(pre.text)")
            #expect(pre.header("access-control-allow-origin") == Self.origin)
            let allowHeaders = (pre.header("access-control-allow-headers") ?? "").lowercased()
            for name in ["authorization", "if-none-match", "content-type", "prefer", "idempotency-key"] {
                #expect(allowHeaders.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == name }, "allow-headers \(allowHeaders) lacks \(name)")
            }
            #expect(pre.header("access-control-allow-methods")?.contains("GET") == true)
            #expect(pre.headers.contains { $0.0 == "vary" && $0.1.lowercased().contains("origin") })
            let preHook = try RoomHTTP.send(h.port(), method: "OPTIONS", "/v1/hooks/core_webinar_set_cta_visibility", headers: [
                o, ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type, idempotency-key"),
            ])
            #expect(preHook.status == 204)
            #expect(preHook.header("access-control-allow-origin") == Self.origin)

            let auth = ("Authorization", "Bearer \(RoomAuth.organizer)")
            let ok = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [o, auth])
            #expect(ok.status == 200)
            Self.expectGrant(ok, "200")
            let e = try #require(ok.header("etag"))

            let notModified = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w, wait: "0"), headers: [o, auth, ("If-None-Match", e)])
            #expect(notModified.status == 304)
            Self.expectGrant(notModified, "304 at once")

            let unauth = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [o])
            #expect(unauth.status == 401)
            Self.expectGrant(unauth, "401")
            let forged = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [o, ("Authorization", "Bearer a.b.c")])
            #expect(forged.status == 401)
            Self.expectGrant(forged, "401 forged")
            let badWait = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w, wait: "abc"), headers: [o, auth])
            #expect(badWait.status == 400)
            Self.expectGrant(badWait, "400")

            // Parked polls answered by the registry: 304 at the deadline and 200 on a change.
            let c304 = try TestClient(port: h.port())
            c304.send(RoomHTTP.raw(RoomHTTP.stateTarget(w, wait: "5"), headers: [o, auth, ("If-None-Match", e)]))
            #expect(eventually { h.parked() == 1 })
            h.advance(seconds: 5.1)
            let parked304 = try c304.readResponse()
            #expect(parked304.status == 304)
            Self.expectGrant(parked304, "parked 304")

            let c200 = try TestClient(port: h.port())
            c200.send(RoomHTTP.raw(RoomHTTP.stateTarget(w, wait: "30"), headers: [o, auth, ("If-None-Match", e)]))
            #expect(eventually { h.parked() == 1 })
            let hook = try RoomHTTP.cta(h.port(), w, true)
            #expect(hook.status == 200, "\(hook.status) \(hook.text)")
            try #require(eventually { h.parked() == 0 })
            let woken = try c200.readResponse()
            #expect(woken.status == 200)
            Self.expectGrant(woken, "woken 200")
        }

        @Test func unlistedOriginGetsNoCORS() throws {
            let h = try NodeHarness { $0.corsOrigins = [Self.origin] }
            defer { h.stop() }
            let w = "w9u"
            for evil in ["https://evil.example", "https://app.example.evil", "http://app.example", "null"] {
                let o = ("Origin", evil)
                let pre = try RoomHTTP.send(h.port(), method: "OPTIONS", RoomHTTP.stateTarget(w), headers: [o, ("Access-Control-Request-Method", "GET")])
                #expect(pre.header("access-control-allow-origin") == nil, "\(evil) preflight")
                #expect(pre.header("access-control-allow-headers") == nil, "\(evil) preflight")
                let ok = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [o, ("Authorization", "Bearer \(RoomAuth.organizer)")])
                #expect(ok.status == 200)
                Self.expectNoCORS(ok, "\(evil) 200")
                let unauth = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [o])
                #expect(unauth.status == 401)
                Self.expectNoCORS(unauth, "\(evil) 401")
            }
            // A node without any allowed origin sends none either.
            let plain = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [("Authorization", "Bearer \(RoomAuth.organizer)")])
            Self.expectNoCORS(plain, "no Origin")
        }
    }
}
