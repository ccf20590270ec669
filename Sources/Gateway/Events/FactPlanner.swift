// Validates a client fact's body and turns it into a `FactPlan` (contract §4 table, canon payloads).
import HTTP1

enum FactPlanner {
    static let types = ["registered", "entered", "left", "completed", "form_submitted", "progress", "cta_click"]

    static func plan(_ request: Request, claims: Claims, webinarID: String, sessionID: String, settings: EventSettings) -> Result<FactPlan, Problem> {
        let body: JSONBody
        switch JSONBody.parse(request) {
        case .failure(let p): return .failure(p)
        case .success(let b): body = b
        }
        let type: String
        switch body.oneOf("type", types) {
        case .failure(let p): return .failure(p)
        case .success(let t): type = t
        }
        // The lead/user come from the token; a system token may name them in the body.
        func claim(_ value: String?, _ field: String) -> Result<String, Problem> {
            if let v = value { return .success(v) }
            if claims.role == .system, let v = body.fields[field]?.stringValue, Identifier.isValid(v) { return .success(v) }
            return .failure(.invalidField(field, "the token carries no \(field) claim"))
        }
        let isAuto = claims.webinarType == .auto
        let keys = RoomKeys(webinarID)
        let now = WallClock.isoNow()
        let lead: String
        switch claim(claims.leadID, "lead_id") {
        case .failure(let p): return .failure(p)
        case .success(let l): lead = l
        }
        var plan = FactPlan(sessionKey: keys.session(sessionID), webinarID: webinarID, sessionID: sessionID, lead: lead, now: now,
                            ttlSeconds: settings.onceMarkTTLSeconds, maxLen: settings.streamMaxLength, channel: keys.wakeChannel)
        let once = "wg:{w:\(webinarID)}:once:"
        var auto: (user: String, ref: String)?
        if isAuto || type == "progress" || type == "cta_click" {
            guard isAuto else { return .failure(.invalidField("type", "\(type) is for AutoWebinar sessions only (webinar_type auto)")) }
            switch (claim(claims.userID, "user_id"), claim(claims.refID, "ref_id")) {
            case (.failure(let p), _), (_, .failure(let p)): return .failure(p)
            case (.success(let u), .success(let r)): auto = (u, r)
            }
        }
        func autoEvent(_ hook: String, progress: Int? = nil) {
            guard let a = auto else { return }
            let id = EventID.make()
            var p = Payload()
            p.string("event_id", id); p.string("user_id", a.user); p.string("ref_id", a.ref); p.string("timestamp", now)
            if let v = progress { p.int("progress", v) }
            plan.events.append((id, hook, p.text))
        }
        func client(_ hook: String, _ build: (inout Payload) -> Void) {
            var p = Payload()
            build(&p)
            plan.events.append((EventID.make(), hook, p.text))
        }
        let wtype = claims.webinarType.rawValue
        switch type {
        case "registered":
            guard let slot = body.fields["slot_id"]?.stringValue, Identifier.isValid(slot) else {
                return .failure(.invalidField("slot_id", "required string of 1-128 characters of [A-Za-z0-9._:-]"))
            }
            guard let source = body.fields["source"]?.stringValue, Identifier.isValid(source) else {
                return .failure(.invalidField("source", "required string of 1-128 characters of [A-Za-z0-9._:-]"))
            }
            plan.markKey = once + "registered:" + lead
            plan.leadsKey = "wg:{w:\(webinarID)}:leads"
            client("client_webinar_registered") {
                $0.string("lead_id", lead); $0.string("webinar_id", webinarID); $0.string("webinar_type", wtype)
                $0.string("slot_id", slot); $0.string("registered_at", now); $0.string("source", source)
            }
        case "entered":
            plan.markKey = once + "entered:" + sessionID
            plan.leadsKey = "wg:{w:\(webinarID)}:leads"
            plan.enteredKey = "wg:{w:\(webinarID)}:entered"
            plan.setOnce = [("entered_at", now)] + (isAuto ? [("joined_at", now)] : [])
            client("client_webinar_entered") { $0.string("lead_id", lead); $0.string("webinar_id", webinarID); $0.string("timestamp", now) }
            autoEvent("autowebinar_join")
        case "left":
            guard let reason = body.fields["leave_reason"]?.stringValue, !reason.isEmpty, reason.utf8.count <= 256,
                  !reason.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                return .failure(.invalidField("leave_reason", "required string of 1-256 characters"))
            }
            plan.markKey = once + "left:" + sessionID
            plan.setOnce = [("left_at", now)]
            client("client_webinar_left") {
                $0.string("lead_id", lead); $0.string("webinar_id", webinarID); $0.string("webinar_type", wtype)
                $0.string("session_id", sessionID); $0.string("left_at", now); $0.string("leave_reason", reason)
            }
            if isAuto { classify(&plan, once, lead) }
        case "completed":
            plan.markKey = once + "completed:" + sessionID
            plan.setOnce = [("completed_at", now)]
            for hook in ["client_webinar_completed", "webinar_completed"] {
                client(hook) {
                    $0.string("lead_id", lead); $0.string("webinar_id", webinarID); $0.string("webinar_type", wtype)
                    $0.string("session_id", sessionID); $0.string("completed_at", now)
                }
            }
            autoEvent("autowebinar_completed")
            if isAuto { classify(&plan, once, lead) }
        case "form_submitted":
            guard let formID = body.fields["form_id"]?.stringValue, Identifier.isValid(formID) else {
                return .failure(.invalidField("form_id", "required string of 1-128 characters of [A-Za-z0-9._:-]"))
            }
            guard let payload = body.fields["form_payload"], case .object = payload else {
                return .failure(.invalidField("form_payload", "required JSON object"))
            }
            // Passed through byte for byte (validated as one JSON object): numbers keep every digit.
            let payloadText = body.rawFields["form_payload"].map { String(decoding: $0, as: UTF8.self) } ?? JSONValueWriter.write(payload)
            guard payloadText.utf8.count <= settings.maxFormPayloadBytes else {
                return .failure(.invalidField("form_payload", "at most \(settings.maxFormPayloadBytes) bytes serialized"))
            }
            if let key = request.head.headers.first("idempotency-key") {
                guard !key.isEmpty, key.utf8.count <= 128, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    return .failure(.invalidParameter("Idempotency-Key", "1-128 visible ASCII characters"))
                }
                plan.idempotencyKey = "wg:{w:\(webinarID)}:idem:\(sessionID):" + key
            }
            client("client_webinar_form_submitted") {
                $0.string("lead_id", lead); $0.string("webinar_id", webinarID); $0.string("webinar_type", wtype)
                $0.string("session_id", sessionID); $0.string("submitted_at", now); $0.string("form_id", formID)
                $0.raw("form_payload", payloadText)
            }
        case "progress":
            guard case .number(let n)? = body.fields["progress"], [25.0, 50, 75, 100].contains(n) else {
                return .failure(.invalidField("progress", "one of 25, 50, 75, 100"))
            }
            plan.progress = Int(n)
            autoEvent("autowebinar_progress", progress: Int(n))
        default:  // cta_click
            plan.markKey = once + "cta_click:" + sessionID
            autoEvent("autowebinar_cta_click")
        }
        return .success(plan)
    }

    /// An AutoWebinar session is classified once per (webinar, lead) when it is left or completed.
    private static func classify(_ plan: inout FactPlan, _ once: String, _ lead: String) {
        plan.attendanceMarkKey = once + "attendance:" + lead
        plan.attendanceIDs = [EventID.make(), EventID.make()]
    }
}
