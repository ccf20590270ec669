// The room hooks through the real Redis scripts: the status state machine (every status × action)
// against the Swift table and the contract, the role table, archive as terminal, and input validation
// (clear 4xx, nothing changed) on the hooks and the state route.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

extension RoomStateTests {
    @Suite struct Hooks {
        /// contract.md §3, written out independently of `RoomStatus.apply`.
        static func contractTransition(_ from: RoomStatus, _ action: StatusAction) -> StatusTransition {
            let target: RoomStatus = switch action {
            case .start: .live
            case .stop: .ended
            case .pause: .paused
            case .archive: .archived
            }
            if from == target { return .noop }
            let legal: [StatusAction: Set<RoomStatus>] = [
                .start: [.scheduled, .ended, .paused],
                .stop: [.live, .paused],
                .pause: [.live],
                .archive: [.scheduled, .live, .paused, .ended],
            ]
            return legal[action]!.contains(from) ? .applied(target) : .illegal
        }

        /// Legal moves (system token) from a fresh room to each status.
        static let pathTo: [RoomStatus: [String]] = [
            .scheduled: [], .live: ["start"], .paused: ["start", "pause"], .ended: ["start", "stop"], .archived: ["archive"],
        ]

        @Test func everyStatusActionPairMatchesTheTable() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            var checked = 0
            for from in RoomStatus.allCases {
                for action in StatusAction.allCases {
                    let expected = from.apply(action)
                    #expect(expected == Self.contractTransition(from, action), "Swift table vs contract: \(from) \(action)")

                    let w = "sm-\(from.rawValue)-\(action.rawValue)"
                    for step in Self.pathTo[from]! {
                        let r = try RoomHTTP.status(h.port(), w, step)
                        try #require(r.status == 200 && r.json["applied"] as? Bool == true, "setup \(w) \(step): \(r.status) \(r.text)")
                    }
                    let before = try RoomView.read(h.port(), w)
                    try #require(before.status == from.rawValue, "setup reached \(before)")

                    let r = try RoomHTTP.status(h.port(), w, action.rawValue)
                    let after = try RoomView.read(h.port(), w)
                    switch expected {
                    case .applied(let to):
                        #expect(r.status == 200, "\(from) \(action): \(r.status) \(r.text)")
                        #expect(r.json["applied"] as? Bool == true, "\(from) \(action): \(r.text)")
                        #expect(r.json["status"] as? String == to.rawValue, "\(from) \(action): \(r.text)")
                        #expect(r.json["version"] as? Int == before.version + 1, "\(from) \(action): \(r.text)")
                        #expect(r.json["cta_visibility"] as? Bool == before.cta)
                        #expect(after.status == to.rawValue && after.version == before.version + 1 && after.etag != before.etag, "\(from) \(action): \(after)")
                    case .noop:
                        #expect(r.status == 200, "\(from) \(action): \(r.status) \(r.text)")
                        #expect(r.json["applied"] as? Bool == false, "\(from) \(action): \(r.text)")
                        #expect(r.json["status"] as? String == from.rawValue)
                        #expect(r.json["version"] as? Int == before.version, "\(from) \(action): \(r.text)")
                        #expect(after == before, "\(from) \(action): \(before) -> \(after)")
                    case .illegal:
                        #expect(r.status == 409, "\(from) \(action): \(r.status) \(r.text)")
                        #expect(r.isProblem, "\(from) \(action)")
                        #expect(after == before, "\(from) \(action): \(before) -> \(after)")
                    }
                    checked += 1
                }
            }
            #expect(checked == RoomStatus.allCases.count * StatusAction.allCases.count)
        }

        @Test func roleTable() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            for role in [Claims.Role.organizer, .speaker] {
                let w = "roles-\(role.rawValue)"
                let t = RoomAuth.token(role, sub: "p-1")
                let start = try RoomHTTP.status(h.port(), w, "start", token: t)
                #expect(start.status == 200 && start.json["applied"] as? Bool == true, "\(role) start: \(start.text)")
                let v1 = try RoomView.read(h.port(), w)
                for internalAction in ["pause", "archive"] {
                    let r = try RoomHTTP.status(h.port(), w, internalAction, token: t)
                    #expect(r.status == 403, "\(role) \(internalAction): \(r.status) \(r.text)")
                    #expect(r.isProblem)
                    #expect(try RoomView.read(h.port(), w) == v1, "\(role) \(internalAction) changed the room")
                }
                let cta = try RoomHTTP.cta(h.port(), w, true, token: t)
                #expect(cta.status == 200 && cta.json["applied"] as? Bool == true && cta.json["cta_visibility"] as? Bool == true, "\(role) cta: \(cta.text)")
                let stop = try RoomHTTP.status(h.port(), w, "stop", token: t)
                #expect(stop.status == 200 && stop.json["status"] as? String == "ended", "\(role) stop: \(stop.text)")
                let end = try RoomView.read(h.port(), w)
                #expect(end.status == "ended" && end.cta && end.version == 3, "\(end)")
            }
            for role in [Claims.Role.attendee, .guest, .moderator] {
                let w = "roles-\(role.rawValue)"
                let t = RoomAuth.token(role, sub: "p-2", session: role == .attendee ? "s-1" : nil)
                for action in StatusAction.allCases {
                    let r = try RoomHTTP.status(h.port(), w, action.rawValue, token: t)
                    #expect(r.status == 403, "\(role) \(action): \(r.status) \(r.text)")
                    #expect(r.isProblem)
                }
                for visible in [true, false] {
                    let r = try RoomHTTP.cta(h.port(), w, visible, token: t)
                    #expect(r.status == 403, "\(role) cta: \(r.status) \(r.text)")
                }
                let after = try RoomView.read(h.port(), w)
                #expect(after.version == 0 && after.status == "scheduled" && !after.cta, "\(role): \(after)")
            }
            // A webinar-scoped organizer token works on its webinar only.
            let scoped = RoomAuth.token(.organizer, sub: "o-2", webinar: "roles-scoped")
            #expect(try RoomHTTP.status(h.port(), "roles-other", "start", token: scoped).status == 403)
            #expect(try RoomHTTP.cta(h.port(), "roles-other", true, token: scoped).status == 403)
            #expect(try RoomView.read(h.port(), "roles-other").version == 0)
            #expect(try RoomHTTP.status(h.port(), "roles-scoped", "start", token: scoped).status == 200)
            // No token at all.
            let anon = try RoomHTTP.hook(h.port(), "core_webinar_set_status", body: "{\"webinar_id\":\"roles-x\",\"status\":\"start\"}", token: nil)
            #expect(anon.status == 401)
            #expect(anon.header("www-authenticate")?.hasPrefix("Bearer") == true)
        }

        @Test func archivedIsTerminal() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "arch"
            #expect(try RoomHTTP.status(h.port(), w, "start").status == 200)
            #expect(try RoomHTTP.cta(h.port(), w, true, token: RoomAuth.system).status == 200)
            let a = try RoomHTTP.status(h.port(), w, "archive")
            #expect(a.status == 200 && a.json["status"] as? String == "archived" && a.json["version"] as? Int == 3, "\(a.text)")
            let before = try RoomView.read(h.port(), w)
            for action in ["start", "stop", "pause"] {
                let r = try RoomHTTP.status(h.port(), w, action)
                #expect(r.status == 409, "\(action): \(r.status) \(r.text)")
                #expect(r.isProblem)
            }
            for visible in [true, false] {
                let r = try RoomHTTP.cta(h.port(), w, visible, token: RoomAuth.system)
                #expect(r.status == 409, "cta \(visible): \(r.status) \(r.text)")
                #expect(r.isProblem)
            }
            // archive again repeats the current state: a no-op (200, version unchanged).
            let again = try RoomHTTP.status(h.port(), w, "archive")
            #expect(again.status == 200 && again.json["applied"] as? Bool == false && again.json["version"] as? Int == before.version, "\(again.text)")
            #expect(try RoomView.read(h.port(), w) == before)
        }

        @Test func ctaNoopKeepsTheVersion() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "cta-noop"
            let hidden = try RoomHTTP.cta(h.port(), w, false)
            #expect(hidden.status == 200 && hidden.json["applied"] as? Bool == false && hidden.json["version"] as? Int == 0, "\(hidden.text)")
            let shown = try RoomHTTP.cta(h.port(), w, true)
            #expect(shown.status == 200 && shown.json["applied"] as? Bool == true && shown.json["version"] as? Int == 1, "\(shown.text)")
            #expect(shown.json["status"] as? String == "scheduled")
            let again = try RoomHTTP.cta(h.port(), w, true)
            #expect(again.status == 200 && again.json["applied"] as? Bool == false && again.json["version"] as? Int == 1, "\(again.text)")
            let v = try RoomView.read(h.port(), w)
            #expect(v.cta && v.version == 1 && v.status == "scheduled")
        }

        // MARK: validation

        @Test func badHookInputIsA4xxAndChangesNothing() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "val"
            #expect(try RoomHTTP.status(h.port(), w, "start").status == 200)
            let before = try RoomView.read(h.port(), w)
            let status = "core_webinar_set_status"
            let cta = "core_webinar_set_cta_visibility"
            let big = String(repeating: "x", count: 4200)
            let cases: [(String, String, String, String?, Int)] = [
                ("bad JSON", status, "{\"webinar_id\":\"val\",\"status\":", "application/json", 422),
                ("not an object", status, "[\"val\",\"stop\"]", "application/json", 422),
                ("empty body", status, "", "application/json", 422),
                ("trailing garbage", status, "{\"webinar_id\":\"val\",\"status\":\"stop\"} x", "application/json", 422),
                ("missing webinar_id", status, "{\"status\":\"stop\"}", "application/json", 422),
                ("webinar_id bad chars", status, "{\"webinar_id\":\"v a/l\",\"status\":\"stop\"}", "application/json", 422),
                ("webinar_id too long", status, "{\"webinar_id\":\"\(String(repeating: "v", count: 129))\",\"status\":\"stop\"}", "application/json", 422),
                ("webinar_id empty", status, "{\"webinar_id\":\"\",\"status\":\"stop\"}", "application/json", 422),
                ("webinar_id number", status, "{\"webinar_id\":5,\"status\":\"stop\"}", "application/json", 422),
                ("status not in set", status, "{\"webinar_id\":\"val\",\"status\":\"end\"}", "application/json", 422),
                ("status missing", status, "{\"webinar_id\":\"val\"}", "application/json", 422),
                ("status wrong case", status, "{\"webinar_id\":\"val\",\"status\":\"STOP\"}", "application/json", 422),
                ("visible string", cta, "{\"webinar_id\":\"val\",\"visible\":\"true\"}", "application/json", 422),
                ("visible number", cta, "{\"webinar_id\":\"val\",\"visible\":1}", "application/json", 422),
                ("visible missing", cta, "{\"webinar_id\":\"val\"}", "application/json", 422),
                ("context string", status, "{\"webinar_id\":\"val\",\"status\":\"stop\",\"context\":\"x\"}", "application/json", 422),
                ("context array", cta, "{\"webinar_id\":\"val\",\"visible\":true,\"context\":[1]}", "application/json", 422),
                ("context over 4 KiB", cta, "{\"webinar_id\":\"val\",\"visible\":true,\"context\":{\"a\":\"\(big)\"}}", "application/json", 422),
                ("text/plain", status, "{\"webinar_id\":\"val\",\"status\":\"stop\"}", "text/plain", 415),
                ("form", cta, "webinar_id=val&visible=true", "application/x-www-form-urlencoded", 415),
                ("unknown hook", "core_webinar_delete", "{\"webinar_id\":\"val\"}", "application/json", 404),
            ]
            for (name, hook, body, type, want) in cases {
                let r = try RoomHTTP.hook(h.port(), hook, body: body, token: RoomAuth.system, contentType: type)
                #expect(r.status == want, "\(name): \(r.status) \(r.text)")
                #expect(r.isProblem, "\(name): \(r.header("content-type") ?? "none")")
                #expect((r.json["title"] as? String)?.isEmpty == false, "\(name): \(r.text)")
                #expect(try RoomView.read(h.port(), w) == before, "\(name) changed the room")
            }
            // 422s name the field.
            let missing = try RoomHTTP.hook(h.port(), status, body: "{\"status\":\"stop\"}", token: RoomAuth.system)
            #expect((missing.json["detail"] as? String)?.contains("webinar_id") == true, "\(missing.text)")
            let badVisible = try RoomHTTP.hook(h.port(), cta, body: "{\"webinar_id\":\"val\",\"visible\":\"yes\"}", token: RoomAuth.system)
            #expect((badVisible.json["detail"] as? String)?.contains("visible") == true, "\(badVisible.text)")
            let badStatus = try RoomHTTP.hook(h.port(), status, body: "{\"webinar_id\":\"val\",\"status\":\"end\"}", token: RoomAuth.system)
            #expect((badStatus.json["detail"] as? String)?.contains("status") == true, "\(badStatus.text)")

            // Controls: a small context object and a charset parameter are fine.
            let ok = try RoomHTTP.hook(h.port(), cta, body: "{\"webinar_id\":\"val\",\"visible\":true,\"context\":{\"by\":\"ops\",\"n\":[1,2]}}",
                                       token: RoomAuth.system, contentType: "application/json; charset=utf-8")
            #expect(ok.status == 200 && ok.json["applied"] as? Bool == true, "\(ok.text)")
            #expect(try RoomView.read(h.port(), w).version == before.version + 1)
        }

        @Test func badStateRequestsAreClear4xx() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "sv"
            let auth = [("Authorization", "Bearer \(RoomAuth.system)")]
            for method in ["PUT", "POST", "DELETE", "PATCH"] {
                let r = try RoomHTTP.send(h.port(), method: method, RoomHTTP.stateTarget(w), headers: auth + [("Content-Type", "application/json")],
                                          body: "{\"status\":\"live\"}")
                #expect(r.status == 405, "\(method): \(r.status)")
                #expect(r.header("allow")?.contains("GET") == true, "\(method): Allow \(r.header("allow") ?? "none")")
                #expect(r.isProblem)
            }
            #expect(try RoomView.read(h.port(), w).version == 0)

            for bad in ["w$1", "w%201", String(repeating: "w", count: 129), "w'1", "%2e%2e"] {
                let r = try RoomHTTP.send(h.port(), "/v1/webinars/\(bad)/state", headers: auth)
                #expect(r.status == 404, "\(bad): \(r.status)")
                #expect(r.isProblem)
            }
            #expect(try RoomHTTP.send(h.port(), "/v1/webinars/\(String(repeating: "w", count: 128))/state", headers: auth).status == 200)

            for wait in ["-1", "abc", "nan", "inf", "1e999", ""] {
                let r = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w, wait: wait), headers: auth)
                #expect(r.status == 400, "wait=\(wait): \(r.status)")
                #expect(r.isProblem)
                #expect((r.json["detail"] as? String)?.contains("wait") == true, "wait=\(wait): \(r.text)")
            }
            let badPrefer = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: auth + [("Prefer", "wait=soon")])
            #expect(badPrefer.status == 400)
            let badSession = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w, session: "a%20b"), headers: auth)
            #expect(badSession.status == 400 || badSession.status == 404, "\(badSession.status)")
            #expect(h.parked() == 0)
        }

        @Test func preferWaitIsAppliedAndWaitIsCapped() throws {
            let h = try NodeHarness()
            defer { h.stop() }
            let w = "pw"
            let e = try RoomView.read(h.port(), w).etag
            let auth = ("Authorization", "Bearer \(RoomAuth.system)")

            // Answered at once (no If-None-Match): the preference is still reported.
            let now = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [auth, ("Prefer", "wait=5")])
            #expect(now.status == 200)
            #expect(now.header("preference-applied") == "wait=5")

            // Parked via Prefer: 304 after ~5 s of manual time, carrying Preference-Applied.
            let c = try TestClient(port: h.port())
            c.send(RoomHTTP.raw(RoomHTTP.stateTarget(w), headers: [auth, ("If-None-Match", e), ("Prefer", "respond-async, wait=5")]))
            #expect(eventually { h.parked() == 1 })
            h.advance(seconds: 3.9)
            #expect(h.parked() == 1)
            h.advance(seconds: 1.2)
            let r = try c.readResponse()
            #expect(r.status == 304)
            #expect(r.header("preference-applied") == "wait=5")
            #expect(r.header("etag") == e)

            // Prefer beyond the cap reports the capped value.
            let capped = try RoomHTTP.send(h.port(), RoomHTTP.stateTarget(w), headers: [auth, ("Prefer", "wait=9999")])
            #expect(capped.header("preference-applied") == "wait=30", "\(capped.header("preference-applied") ?? "none")")

            // wait=9999 parks, and its deadline is at most the 30 s cap.
            let c2 = try TestClient(port: h.port())
            c2.send(RoomHTTP.stateRequest(w, token: RoomAuth.system, etag: e, wait: "9999"))
            #expect(eventually { h.parked() == 1 })
            h.advance(seconds: 28.9)  // earliest deadline: 30 s minus 1 s jitter
            #expect(h.parked() == 1)
            h.advance(seconds: 1.2)
            let r2 = try c2.readResponse()
            #expect(r2.status == 304)
            #expect(r2.header("etag") == e)
            #expect(h.parked() == 0)
        }
    }
}
