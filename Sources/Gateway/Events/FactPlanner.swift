// Validates a client fact's body and turns it into a `FactPlan` (contract §4 table, canon payloads).
// Order of the checks, and so of the 422s: the body is one JSON object → `type` → `lead_id` →
// AutoWebinar identity (`user_id`, `ref_id`) → the type's own fields. Each fact type has one planning
// function (`FactPlanner+Participation`, `+Form`, `+Auto`).
import HTTP1
import HTTPServer

/// Plans client facts.
enum FactPlanner {
    /// What one fact type checks and adds to the draft's plan; nil when the fact is valid.
    typealias TypePlanner = (inout FactDraft) -> Problem?

    /// Validates `request`'s body as a fact of the session and plans it.
    /// - Parameters:
    ///   - request: the fact request (JSON body; `Idempotency-Key` for forms).
    ///   - claims: the caller's verified claims (lead, user and referral come from them).
    ///   - webinarID: the webinar of the path.
    ///   - sessionID: the session of the path.
    ///   - settings: TTLs, stream length, form payload limit.
    ///   - environment: the clock and the id source that stamp the events.
    /// - Returns: the plan, or the 415/422/400 answer for a bad body.
    static func plan(_ request: Request, claims: Claims, webinarID: String, sessionID: String,
                     settings: EventSettings, environment: EventEnvironment) -> Result<FactPlan, Problem> {
        let body: JSONBody
        switch JSONBody.parse(request) {
        case .failure(let p): return .failure(p)
        case .success(let b): body = b
        }
        let type: FactType
        switch body.oneOf("type", FactType.names) {
        case .failure(let p): return .failure(p)
        case .success(let name):
            // Always found: `names` are the raw values.
            guard let t = FactType(rawValue: name) else { return .failure(.invalidField("type", "unknown fact type")) }
            type = t
        }
        let lead: String
        switch claim(claims.leadID, "lead_id", claims, body) {
        case .failure(let p): return .failure(p)
        case .success(let l): lead = l
        }
        let auto: AutoIdentity?
        switch autoIdentity(type, claims, body) {
        case .failure(let p): return .failure(p)
        case .success(let a): auto = a
        }
        let keys = RoomKeys(webinarID)
        let plan = FactPlan(sessionKey: keys.session(sessionID), webinarID: webinarID, sessionID: sessionID, lead: lead, now: environment.now(),
                            ttlSeconds: settings.onceMarkTTLSeconds, roomTTLSeconds: settings.roomTTLSeconds,
                            idempotencyTTLSeconds: settings.idempotencyTTLSeconds, maxLen: settings.streamMaxLength, channel: keys.wakeChannel)
        var draft = FactDraft(request: request, body: body, auto: auto, settings: settings, environment: environment, plan: plan)
        if let problem = planner(for: type)(&draft) { return .failure(problem) }
        return .success(draft.plan)
    }

    /// The planning function of each fact type.
    static func planner(for type: FactType) -> TypePlanner {
        switch type {
        case .registered: registered
        case .entered: entered
        case .left: left
        case .completed: completed
        case .formSubmitted: formSubmitted
        case .progress: progress
        case .ctaClick: ctaClick
        }
    }

    /// The lead/user come from the token; a system token may name them in the body.
    private static func claim(_ value: String?, _ field: String, _ claims: Claims, _ body: JSONBody) -> Result<String, Problem> {
        if let v = value { return .success(v) }
        if claims.role == .system, let v = body.fields[field]?.stringValue, Identifier.isValid(v) { return .success(v) }
        return .failure(.invalidField(field, "the token carries no \(field) claim"))
    }

    /// An AutoWebinar session needs `user_id` and `ref_id` (checked in that order); a live session
    /// has none and may not report the AutoWebinar-only facts.
    private static func autoIdentity(_ type: FactType, _ claims: Claims, _ body: JSONBody) -> Result<AutoIdentity?, Problem> {
        let isAuto = claims.webinarType == .auto
        guard isAuto || type.isAutoOnly else { return .success(nil) }
        guard isAuto else {
            return .failure(.invalidField("type", "\(type.rawValue) is for AutoWebinar sessions only (webinar_type auto)"))
        }
        switch (claim(claims.userID, "user_id", claims, body), claim(claims.refID, "ref_id", claims, body)) {
        case (.failure(let p), _), (_, .failure(let p)): return .failure(p)
        case (.success(let u), .success(let r)): return .success(AutoIdentity(user: u, ref: r))
        }
    }
}
