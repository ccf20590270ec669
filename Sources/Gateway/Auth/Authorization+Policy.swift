// The role table of contract.md §1 (the canon's section 3), as data plus three scope rules:
//   1. the role must be allowed the action                               → 403 forbidden-role
//   2. a token with a `webinar_id` claim works on that webinar only; an
//      action with no webinar (admin, core_user_* hooks) is refused too  → 403 forbidden-scope
//   3. an attendee acts only for its own `session_id` claim: client facts
//      need the claim and an equal path session; a state read naming a
//      session must name its own (without a claim: room state only)      → 403 forbidden-session
// `system` may act for any session. Checks run in that order; the first failure answers.

extension Authorization {
    /// What a request wants to do, as far as the role table cares.
    public enum Action: String, Sendable, CaseIterable {
        /// `GET /v1/webinars/{id}/state`.
        case readState
        /// `core_webinar_set_status` with `start` or `stop`.
        case setStatusStartStop
        /// `core_webinar_set_status` with `pause` or `archive` (internal states).
        case setStatusInternal
        /// `core_webinar_set_cta_visibility`.
        case setCTA
        /// `POST /v1/webinars/{id}/sessions/{sid}/events` (client facts, contract.md §4).
        case clientFact
        /// Inbound Core facts: `core_user_*`, `core_ref_context_resolved`.
        case coreInbound
        /// Admin API: throttle limits, webhook subscriptions.
        case admin
    }

    /// The roles allowed `action` (contract.md §1).
    /// - Parameter action: the action.
    /// - Returns: the allowed roles.
    public static func allowedRoles(for action: Action) -> Set<Claims.Role> {
        switch action {
        case .readState: Set(Claims.Role.allCases)
        case .setStatusStartStop, .setCTA: [.organizer, .speaker, .system]
        case .setStatusInternal, .coreInbound, .admin: [.system]
        case .clientFact: [.attendee, .system]
        }
    }

    /// 403: the role may not do this.
    public static let forbiddenRole = Problem(
        status: 403, slug: "forbidden-role", title: "This role may not perform this action")
    /// 403: the token is scoped to another webinar.
    public static let forbiddenScope = Problem(
        status: 403, slug: "forbidden-scope", title: "The token is not valid for this webinar")
    /// 403: an attendee acting for a session that is not its own.
    public static let forbiddenSession = Problem(
        status: 403, slug: "forbidden-session", title: "The token may not act for this session")

    /// Whether `claims` may do `action` on the given webinar and session.
    /// - Parameters:
    ///   - claims: the verified claims.
    ///   - action: what the request does.
    ///   - webinarID: the webinar the request targets (path or body), or `nil` when it has none.
    ///   - sessionID: the session the request acts for (path, or the `session_id` query of a state
    ///     read), or `nil` when none is named.
    /// - Returns: `nil` when allowed, else a 403 problem (`forbiddenRole`, `forbiddenScope` or
    ///   `forbiddenSession`).
    public static func authorize(_ claims: Claims, _ action: Action, webinarID: String?, sessionID: String?) -> Problem? {
        guard allowedRoles(for: action).contains(claims.role) else { return forbiddenRole }
        if let scope = claims.webinarID, scope != webinarID { return forbiddenScope }
        guard claims.role == .attendee else { return nil }
        switch action {
        case .clientFact:
            guard let own = claims.sessionID, own == sessionID else { return forbiddenSession }
        case .readState:
            if let asked = sessionID, asked != claims.sessionID { return forbiddenSession }
        case .setStatusStartStop, .setStatusInternal, .setCTA, .coreInbound, .admin:
            break  // not reachable for attendees (rule 1)
        }
        return nil
    }
}
