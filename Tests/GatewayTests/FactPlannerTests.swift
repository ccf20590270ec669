// Unit tests of the fact planner with the clock and the id source pinned: the plan's keys, its
// payload text byte for byte, and the 4xx answers for bad bodies (the same ones the Events tests get
// over HTTP). No Redis, no sockets: an event loop is created only because a `Request` carries one.
import HTTP1
import Reactor
import Synchronization
import Testing
@testable import Gateway
import HTTPServer

@Suite struct FactPlannerTests {
    static let now = "2026-11-29T10:15:30.123Z"

    /// Ids `evt_1`, `evt_2`... in the order the planner asks for them.
    final class CountingIDs: Sendable {
        private let next = Atomic<Int>(0)
        func make() -> String { "evt_\(next.add(1, ordering: .relaxed).newValue)" }
    }

    static let live = Claims(sub: "a-1", role: .attendee, webinarID: "w1", sessionID: "s1", leadID: "lead-1", exp: 2_000_000_000)
    static let auto = Claims(sub: "a-1", role: .attendee, webinarID: "w1", sessionID: "s1", leadID: "lead-1",
                             userID: "u-1", refID: "r-1", webinarType: .auto, exp: 2_000_000_000)

    /// Plans `body` as a fact of session `s1` of webinar `w1`.
    static func plan(_ body: String, _ claims: Claims = live, headers: [(String, String)] = [("Content-Type", "application/json")],
                     settings: EventSettings = EventSettings()) throws -> Result<FactPlan, Problem> {
        let loop = try EventLoop()
        defer { loop.closeDescriptors() }
        let head = HTTPRequestHead(method: .post, path: "/v1/webinars/w1/sessions/s1/events", headers: HTTPHeaders([("Host", "x")] + headers))
        let request = Request(head: head, body: Array(body.utf8), loop: loop)
        let ids = CountingIDs()
        let environment = EventEnvironment(now: { now }, newEventID: { ids.make() })
        return FactPlanner.plan(request, claims: claims, webinarID: "w1", sessionID: "s1", settings: settings, environment: environment)
    }

    static func planned(_ body: String, _ claims: Claims = live, headers: [(String, String)] = [("Content-Type", "application/json")]) throws -> FactPlan {
        switch try plan(body, claims, headers: headers) {
        case .success(let p): return p
        case .failure(let p): throw PlanRefused(problem: "\(p.status) \(p.slug) \(p.detail ?? "")")
        }
    }

    struct PlanRefused: Error { let problem: String }

    /// The events of a plan as `id hook payload` lines.
    static func lines(_ plan: FactPlan) -> [String] { plan.events.map { "\($0.id) \($0.hook) \($0.payload)" } }

    // MARK: plans

    @Test func registeredPlansOneClientEventAndJoinsTheAudience() throws {
        let plan = try Self.planned(#"{"type":"registered","slot_id":"slot-9","source":"landing"}"#)
        #expect(plan.keys == ["wg:{w:w1}:once:registered:lead-1", "wg:{w:w1}:s:s1", "wg:events", "wg:{w:w1}:leads", "", "", ""])
        #expect(Self.lines(plan) == [
            #"evt_1 client_webinar_registered {"lead_id":"lead-1","webinar_id":"w1","webinar_type":"live","slot_id":"slot-9","registered_at":"2026-11-29T10:15:30.123Z","source":"landing"}"#,
        ])
        #expect(plan.planJSON == #"{"ttl":2592000,"room_ttl":2592000,"idem_ttl":86400,"maxlen":1000000,"now":"2026-11-29T10:15:30.123Z","lead":"lead-1","channel":"wg:{w:w1}:wake","session_id":"s1","set_once":[],"events":[["evt_1","client_webinar_registered","{\"lead_id\":\"lead-1\",\"webinar_id\":\"w1\",\"webinar_type\":\"live\",\"slot_id\":\"slot-9\",\"registered_at\":\"2026-11-29T10:15:30.123Z\",\"source\":\"landing\"}"]]}"#)
    }

    @Test func enteredLiveAndAuto() throws {
        let live = try Self.planned(#"{"type":"entered"}"#)
        #expect(live.keys == ["wg:{w:w1}:once:entered:s1", "wg:{w:w1}:s:s1", "wg:events", "wg:{w:w1}:leads", "wg:{w:w1}:entered", "", ""])
        #expect(live.setOnce.map { "\($0.0)=\($0.1)" } == ["entered_at=\(Self.now)"])
        #expect(Self.lines(live) == [
            #"evt_1 client_webinar_entered {"lead_id":"lead-1","webinar_id":"w1","timestamp":"2026-11-29T10:15:30.123Z"}"#,
        ])
        let auto = try Self.planned(#"{"type":"entered"}"#, Self.auto)
        #expect(auto.setOnce.map { "\($0.0)=\($0.1)" } == ["entered_at=\(Self.now)", "joined_at=\(Self.now)"])
        #expect(Self.lines(auto) == [
            #"evt_1 client_webinar_entered {"lead_id":"lead-1","webinar_id":"w1","timestamp":"2026-11-29T10:15:30.123Z"}"#,
            #"evt_2 autowebinar_join {"event_id":"evt_2","user_id":"u-1","ref_id":"r-1","timestamp":"2026-11-29T10:15:30.123Z"}"#,
        ])
        #expect(auto.attendanceIDs.isEmpty && auto.attendanceMarkKey.isEmpty)
    }

    @Test func leftClassifiesOnlyAnAutoWebinarLead() throws {
        let live = try Self.planned(#"{"type":"left","leave_reason":"tab_closed"}"#)
        #expect(live.keys == ["wg:{w:w1}:once:left:s1", "wg:{w:w1}:s:s1", "wg:events", "", "", "", ""])
        #expect(Self.lines(live) == [
            #"evt_1 client_webinar_left {"lead_id":"lead-1","webinar_id":"w1","webinar_type":"live","session_id":"s1","left_at":"2026-11-29T10:15:30.123Z","leave_reason":"tab_closed"}"#,
        ])
        #expect(!live.planJSON.contains("attendance"))
        let auto = try Self.planned(#"{"type":"left","leave_reason":"tab_closed"}"#, Self.auto)
        #expect(auto.keys[5] == "wg:{w:w1}:once:attendance:lead-1")
        #expect(auto.attendanceIDs == ["evt_2", "evt_3"])
        #expect(auto.planJSON.hasSuffix(#","attendance":{"webinar_id":"w1","ids":["evt_2","evt_3"]}}"#))
    }

    @Test func completedEmitsClientAndCanonEvents() throws {
        let live = try Self.planned(#"{"type":"completed"}"#)
        #expect(live.keys == ["wg:{w:w1}:once:completed:s1", "wg:{w:w1}:s:s1", "wg:events", "", "", "", ""])
        let payload = #"{"lead_id":"lead-1","webinar_id":"w1","webinar_type":"live","session_id":"s1","completed_at":"2026-11-29T10:15:30.123Z"}"#
        #expect(Self.lines(live) == ["evt_1 client_webinar_completed " + payload, "evt_2 webinar_completed " + payload])
        let auto = try Self.planned(#"{"type":"completed"}"#, Self.auto)
        #expect(auto.events.map(\.hook) == ["client_webinar_completed", "webinar_completed", "autowebinar_completed"])
        #expect(auto.events[2].payload == #"{"event_id":"evt_3","user_id":"u-1","ref_id":"r-1","timestamp":"2026-11-29T10:15:30.123Z"}"#)
        #expect(auto.attendanceIDs == ["evt_4", "evt_5"] && auto.attendanceMarkKey == "wg:{w:w1}:once:attendance:lead-1")
    }

    @Test func formSubmittedPassesThePayloadThroughAndKeysTheRetry() throws {
        let body = #"{"type":"form_submitted","form_id":"f-1","form_payload":{"a":1.50,"b":[true,null],"c":"é"}}"#
        let plan = try Self.planned(body, headers: [("Content-Type", "application/json"), ("Idempotency-Key", "k-1")])
        #expect(plan.keys == ["", "wg:{w:w1}:s:s1", "wg:events", "", "", "", "wg:{w:w1}:idem:s1:k-1"])
        #expect(Self.lines(plan) == [
            #"evt_1 client_webinar_form_submitted {"lead_id":"lead-1","webinar_id":"w1","webinar_type":"live","session_id":"s1","submitted_at":"2026-11-29T10:15:30.123Z","form_id":"f-1","form_payload":{"a":1.50,"b":[true,null],"c":"é"}}"#,
        ])
        #expect(try Self.planned(body).idempotencyKey.isEmpty)
    }

    @Test func autoWebinarProgressAndCTAClick() throws {
        let progress = try Self.planned(#"{"type":"progress","progress":50}"#, Self.auto)
        #expect(progress.keys == ["", "wg:{w:w1}:s:s1", "wg:events", "", "", "", ""])
        #expect(progress.progress == 50)
        #expect(Self.lines(progress) == [
            #"evt_1 autowebinar_progress {"event_id":"evt_1","user_id":"u-1","ref_id":"r-1","timestamp":"2026-11-29T10:15:30.123Z","progress":50}"#,
        ])
        #expect(progress.planJSON.contains(#""session_id":"s1","progress":50,"set_once":[]"#))
        let cta = try Self.planned(#"{"type":"cta_click"}"#, Self.auto)
        #expect(cta.keys == ["wg:{w:w1}:once:cta_click:s1", "wg:{w:w1}:s:s1", "wg:events", "", "", "", ""])
        #expect(Self.lines(cta) == [
            #"evt_1 autowebinar_cta_click {"event_id":"evt_1","user_id":"u-1","ref_id":"r-1","timestamp":"2026-11-29T10:15:30.123Z"}"#,
        ])
    }

    @Test func aSystemTokenMayNameTheLeadAndUserInTheBody() throws {
        let system = Claims(sub: "core", role: .system, webinarType: .auto, exp: 2_000_000_000)
        let plan = try Self.planned(#"{"type":"cta_click","lead_id":"lead-7","user_id":"u-7","ref_id":"r-7"}"#, system)
        #expect(plan.lead == "lead-7")
        #expect(plan.events.first?.payload == #"{"event_id":"evt_1","user_id":"u-7","ref_id":"r-7","timestamp":"2026-11-29T10:15:30.123Z"}"#)
    }

    // MARK: refusals

    /// `status slug detail` of the refusal, or "planned".
    static func refusal(_ body: String, _ claims: Claims = live, headers: [(String, String)] = [("Content-Type", "application/json")],
                        settings: EventSettings = EventSettings()) throws -> String {
        switch try plan(body, claims, headers: headers, settings: settings) {
        case .success: return "planned"
        case .failure(let p): return "\(p.status) \(p.slug) \(p.detail ?? "-")"
        }
    }

    @Test func badBodiesAreRefusedAsBefore() throws {
        let id = "required string of 1-128 characters of [A-Za-z0-9._:-]"
        let cases: [(String, Claims, String)] = [
            ("[1]", Self.live, "422 invalid-field body: must be one JSON object"),
            (#"{"type":"joined"}"#, Self.live,
             "422 invalid-field type: required, one of registered, entered, left, completed, form_submitted, progress, cta_click"),
            (#"{"type":7}"#, Self.live,
             "422 invalid-field type: required, one of registered, entered, left, completed, form_submitted, progress, cta_click"),
            (#"{"type":"progress","progress":50}"#, Self.live, "422 invalid-field type: progress is for AutoWebinar sessions only (webinar_type auto)"),
            (#"{"type":"cta_click"}"#, Self.live, "422 invalid-field type: cta_click is for AutoWebinar sessions only (webinar_type auto)"),
            (#"{"type":"registered","source":"x"}"#, Self.live, "422 invalid-field slot_id: " + id),
            (#"{"type":"registered","slot_id":"s"}"#, Self.live, "422 invalid-field source: " + id),
            (#"{"type":"registered","slot_id":"a b","source":"x"}"#, Self.live, "422 invalid-field slot_id: " + id),
            (#"{"type":"left"}"#, Self.live, "422 invalid-field leave_reason: required string of 1-256 characters"),
            (#"{"type":"left","leave_reason":"a\nb"}"#, Self.live, "422 invalid-field leave_reason: required string of 1-256 characters"),
            (#"{"type":"left","leave_reason":"\#(String(repeating: "x", count: 257))"}"#, Self.live,
             "422 invalid-field leave_reason: required string of 1-256 characters"),
            (#"{"type":"form_submitted","form_payload":{}}"#, Self.live, "422 invalid-field form_id: " + id),
            (#"{"type":"form_submitted","form_id":"f","form_payload":[1]}"#, Self.live, "422 invalid-field form_payload: required JSON object"),
            (#"{"type":"progress","progress":30}"#, Self.auto, "422 invalid-field progress: one of 25, 50, 75, 100"),
            (#"{"type":"progress","progress":"50"}"#, Self.auto, "422 invalid-field progress: one of 25, 50, 75, 100"),
        ]
        for (body, claims, expected) in cases {
            #expect(try Self.refusal(body, claims) == expected, "\(body)")
        }
    }

    @Test func missingClaimsAreNamedInOrder() throws {
        var noLead = Self.auto
        noLead.leadID = nil
        #expect(try Self.refusal(#"{"type":"entered"}"#, noLead) == "422 invalid-field lead_id: the token carries no lead_id claim")
        var noUser = Self.auto
        noUser.userID = nil
        noUser.refID = nil
        #expect(try Self.refusal(#"{"type":"entered"}"#, noUser) == "422 invalid-field user_id: the token carries no user_id claim")
        var noRef = Self.auto
        noRef.refID = nil
        #expect(try Self.refusal(#"{"type":"progress","progress":25}"#, noRef) == "422 invalid-field ref_id: the token carries no ref_id claim")
        // Only a system token may name them in the body.
        #expect(try Self.refusal(#"{"type":"entered","user_id":"u","ref_id":"r"}"#, noUser)
            == "422 invalid-field user_id: the token carries no user_id claim")
    }

    @Test func mediaTypeFormLimitAndIdempotencyKey() throws {
        #expect(try Self.refusal(#"{"type":"entered"}"#, headers: [("Content-Type", "text/plain")])
            == "415 unsupported-media-type -")
        var small = EventSettings()
        small.maxFormPayloadBytes = 8
        let form = #"{"type":"form_submitted","form_id":"f","form_payload":{"a":12345}}"#
        #expect(try Self.refusal(form, settings: small) == "422 invalid-field form_payload: at most 8 bytes serialized")
        for key in ["", "with space", String(repeating: "k", count: 129)] {
            #expect(try Self.refusal(form, headers: [("Content-Type", "application/json"), ("Idempotency-Key", key)])
                == "400 invalid-parameter Idempotency-Key: 1-128 visible ASCII characters", "\(key)")
        }
    }
}
