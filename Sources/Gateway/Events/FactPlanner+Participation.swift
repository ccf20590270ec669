// Planning of the participation facts every session reports: registered, entered, left, completed.
// A lead registers once; a session enters, leaves and completes once each; leaving or completing an
// AutoWebinar session classifies its lead.

extension FactPlanner {
    /// `registered`: needs `slot_id` and `source`; once per lead; the lead joins the audience.
    static func registered(_ d: inout FactDraft) -> Problem? {
        guard let slot = d.body.fields["slot_id"]?.stringValue, Identifier.isValid(slot) else {
            return .invalidField("slot_id", "required string of 1-128 characters of [A-Za-z0-9._:-]")
        }
        guard let source = d.body.fields["source"]?.stringValue, Identifier.isValid(source) else {
            return .invalidField("source", "required string of 1-128 characters of [A-Za-z0-9._:-]")
        }
        d.markOnce(.registered, d.lead)
        d.plan.leadsKey = d.keys.leads
        let now = d.now
        d.clientEvent("client_webinar_registered") {
            $0.string("slot_id", slot); $0.string("registered_at", now); $0.string("source", source)
        }
        return nil
    }

    /// `entered`: once per session; the lead joins the audience and the entered set; an AutoWebinar
    /// session also records `joined_at` and emits `autowebinar_join`.
    static func entered(_ d: inout FactDraft) -> Problem? {
        d.markOnce(.entered, d.sessionID)
        d.plan.leadsKey = d.keys.leads
        d.plan.enteredKey = d.keys.entered
        d.plan.setOnce = [("entered_at", d.now)] + (d.isAuto ? [("joined_at", d.now)] : [])
        let now = d.now
        d.clientEvent("client_webinar_entered", typed: false) { $0.string("timestamp", now) }
        d.autoEvent("autowebinar_join")
        return nil
    }

    /// `left`: needs a `leave_reason` of 1-256 characters without control characters; once per session.
    static func left(_ d: inout FactDraft) -> Problem? {
        guard let reason = d.body.fields["leave_reason"]?.stringValue, !reason.isEmpty, reason.utf8.count <= 256,
              !reason.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            return .invalidField("leave_reason", "required string of 1-256 characters")
        }
        d.markOnce(.left, d.sessionID)
        d.plan.setOnce = [("left_at", d.now)]
        let now = d.now, session = d.sessionID
        d.clientEvent("client_webinar_left") {
            $0.string("session_id", session); $0.string("left_at", now); $0.string("leave_reason", reason)
        }
        d.classifyIfAuto()
        return nil
    }

    /// `completed`: once per session; emits the client and the canon completion events.
    static func completed(_ d: inout FactDraft) -> Problem? {
        d.markOnce(.completed, d.sessionID)
        d.plan.setOnce = [("completed_at", d.now)]
        let now = d.now, session = d.sessionID
        for hook in ["client_webinar_completed", "webinar_completed"] {
            d.clientEvent(hook) { $0.string("session_id", session); $0.string("completed_at", now) }
        }
        d.autoEvent("autowebinar_completed")
        d.classifyIfAuto()
        return nil
    }
}
