// One fact being planned: the checked inputs every fact type needs, and the plan the type's planning
// function fills in. Events get their ids and time from the injected `EventEnvironment`.
import HTTPServer

/// The AutoWebinar identity of a session (`user_id`, `ref_id`), from the token or a system body.
struct AutoIdentity {
    let user: String
    let ref: String
}

/// A validated fact's common inputs and its plan under construction.
struct FactDraft {
    let request: Request
    let body: JSONBody
    /// Set exactly for AutoWebinar sessions (`webinar_type` auto).
    let auto: AutoIdentity?
    let settings: EventSettings
    let environment: EventEnvironment
    /// Starts with the webinar, session, lead and time of the fact; the type's function adds the rest.
    var plan: FactPlan

    var webinarID: String { plan.webinarID }
    var sessionID: String { plan.sessionID }
    var lead: String { plan.lead }
    /// The one server time of this fact (payloads and `emitted_at`).
    var now: String { plan.now }
    var keys: RoomKeys { RoomKeys(plan.webinarID) }
    var isAuto: Bool { auto != nil }
    var webinarType: WebinarType { isAuto ? .auto : .live }

    /// Sets the once-mark that makes `type` happen once per `subject` (a lead or a session).
    mutating func markOnce(_ type: FactType, _ subject: String) {
        plan.markKey = keys.onceMark(type.rawValue, subject)
    }

    /// Appends a client event: `lead_id`, `webinar_id`, then `webinar_type` when `typed`, then `rest`.
    mutating func clientEvent(_ hook: String, typed: Bool = true, _ rest: (inout Payload) -> Void) {
        var p = Payload()
        p.string("lead_id", lead); p.string("webinar_id", webinarID)
        if typed { p.string("webinar_type", webinarType.rawValue) }
        rest(&p)
        plan.events.append((environment.newEventID(), hook, p.text))
    }

    /// Appends an AutoWebinar event (`event_id`, `user_id`, `ref_id`, `timestamp`, `progress`);
    /// nothing for a live session.
    mutating func autoEvent(_ hook: String, progress: Int? = nil) {
        guard let a = auto else { return }
        let id = environment.newEventID()
        var p = Payload()
        p.string("event_id", id); p.string("user_id", a.user); p.string("ref_id", a.ref); p.string("timestamp", now)
        if let v = progress { p.int("progress", v) }
        plan.events.append((id, hook, p.text))
    }

    /// An AutoWebinar session is classified once per (webinar, lead) when it is left or completed.
    mutating func classifyIfAuto() {
        guard isAuto else { return }
        plan.attendanceMarkKey = keys.onceMark("attendance", lead)
        plan.attendanceIDs = [environment.newEventID(), environment.newEventID()]
    }
}
