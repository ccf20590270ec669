// The verified claims of a token (contract.md §1). Only `JWTVerifier` builds them from a token, after the
// signature and every claim rule passed; the public initializer exists for `JWTSigner` and tests.

/// What a verified token says about its bearer.
public struct Claims: Sendable, Equatable {
    /// Who may do what (contract.md §1 role table).
    public enum Role: String, Sendable, CaseIterable {
        case organizer, speaker, moderator, attendee, guest, system
    }

    /// Live webinar or AutoWebinar (`webinar_type`; `live` when absent); the room uses the same type.
    public typealias WebinarType = Gateway.WebinarType

    /// Actor id (`sub`).
    public var sub: String
    /// Role (`role`).
    public var role: Role
    /// Webinar scope (`webinar_id`): when set, the token is good for that webinar only.
    public var webinarID: String?
    /// The attendee's session (`session_id`).
    public var sessionID: String?
    /// Lead (`lead_id`).
    public var leadID: String?
    /// User (`user_id`).
    public var userID: String?
    /// Referral context (`ref_id`).
    public var refID: String?
    /// `webinar_type`, `live` by default.
    public var webinarType: WebinarType
    /// Expiry (`exp`), Unix seconds, rounded down.
    public var exp: Int64
    /// Every claim of the payload as parsed, including ones this struct does not name.
    public var raw: [String: ClaimValue]

    /// Creates claims, e.g. to sign them with `JWTSigner`.
    /// - Parameters:
    ///   - sub: actor id (must satisfy `Identifier.isValid` to verify later).
    ///   - role: role.
    ///   - webinarID: webinar scope, if any.
    ///   - sessionID: session, if any.
    ///   - leadID: lead, if any.
    ///   - userID: user, if any.
    ///   - refID: referral context, if any.
    ///   - webinarType: `live` or `auto`.
    ///   - exp: expiry, Unix seconds.
    ///   - raw: extra claims to carry (the signer ignores it; the verifier fills it).
    public init(sub: String, role: Role, webinarID: String? = nil, sessionID: String? = nil,
                leadID: String? = nil, userID: String? = nil, refID: String? = nil,
                webinarType: WebinarType = .live, exp: Int64, raw: [String: ClaimValue] = [:]) {
        self.sub = sub
        self.role = role
        self.webinarID = webinarID
        self.sessionID = sessionID
        self.leadID = leadID
        self.userID = userID
        self.refID = refID
        self.webinarType = webinarType
        self.exp = exp
        self.raw = raw
    }
}
