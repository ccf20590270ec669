// The role table of contract.md §1, one test case per (role, action) cell, plus the webinar-scope and
// attendee-session rules, and the 401 answers (RFC 6750 §3) of `Authorization.authenticate`.
import HTTP1
import Testing
@testable import Gateway
import HTTPServer

@Suite struct AuthPolicyTests {
    typealias Action = Authorization.Action

    /// contract.md §1, written out independently of the code: the roles allowed each action.
    static let table: [Action: Set<Claims.Role>] = [
        .readState: [.organizer, .speaker, .moderator, .attendee, .guest, .system],
        .setStatusStartStop: [.organizer, .speaker, .system],
        .setCTA: [.organizer, .speaker, .system],
        .setStatusInternal: [.system],
        .clientFact: [.attendee, .system],
        .coreInbound: [.system],
        .admin: [.system],
    ]

    struct Cell: Sendable, CustomTestStringConvertible {
        let role: Claims.Role
        let action: Action
        let allowed: Bool
        var testDescription: String { "\(role.rawValue) × \(action.rawValue) → \(allowed ? "allowed" : "forbidden-role")" }
    }

    static let cells: [Cell] = Claims.Role.allCases.flatMap { role in
        Action.allCases.map { action in Cell(role: role, action: action, allowed: table[action]?.contains(role) ?? false) }
    }

    static func claims(_ role: Claims.Role, webinar: String? = nil, session: String? = "s1") -> Claims {
        Claims(sub: "actor", role: role, webinarID: webinar, sessionID: session, exp: AuthFixture.now + 60)
    }

    @Test(arguments: cells)
    func roleMatrix(_ cell: Cell) {
        // The attendee acts for its own session, so only the role decides here.
        let problem = Authorization.authorize(Self.claims(cell.role), cell.action, webinarID: "w1", sessionID: "s1")
        if cell.allowed {
            #expect(problem == nil)
        } else {
            #expect(problem?.status == 403)
            #expect(problem?.slug == "forbidden-role")
        }
    }

    @Test func tableCoversEveryAction() {
        #expect(Set(Self.table.keys) == Set(Action.allCases))
        #expect(Self.cells.count == 42)
    }

    @Test(arguments: Claims.Role.allCases)
    func webinarScopedTokenWorksOnItsWebinarOnly(_ role: Claims.Role) {
        let scoped = Self.claims(role, webinar: "w1")
        #expect(Authorization.authorize(scoped, .readState, webinarID: "w1", sessionID: nil) == nil)
        #expect(Authorization.authorize(scoped, .readState, webinarID: "w2", sessionID: nil)?.slug == "forbidden-scope")
        #expect(Authorization.authorize(Self.claims(role), .readState, webinarID: "w2", sessionID: nil) == nil)
    }

    @Test func scopedTokenRefusedOnPathsWithoutAWebinar() {
        let scoped = Self.claims(.system, webinar: "w1")
        #expect(Authorization.authorize(scoped, .admin, webinarID: nil, sessionID: nil)?.slug == "forbidden-scope")
        #expect(Authorization.authorize(scoped, .coreInbound, webinarID: nil, sessionID: nil)?.slug == "forbidden-scope")
        #expect(Authorization.authorize(Self.claims(.system), .admin, webinarID: nil, sessionID: nil) == nil)
    }

    @Test func roleIsCheckedBeforeScope() {
        let guest = Self.claims(.guest, webinar: "w1")
        #expect(Authorization.authorize(guest, .clientFact, webinarID: "w2", sessionID: "s1")?.slug == "forbidden-role")
    }

    @Test func attendeeActsOnlyForItsOwnSession() {
        let own = Self.claims(.attendee, session: "s1")
        #expect(Authorization.authorize(own, .clientFact, webinarID: "w1", sessionID: "s1") == nil)
        #expect(Authorization.authorize(own, .clientFact, webinarID: "w1", sessionID: "s2")?.slug == "forbidden-session")
        #expect(Authorization.authorize(own, .clientFact, webinarID: "w1", sessionID: nil)?.slug == "forbidden-session")
        #expect(Authorization.authorize(own, .readState, webinarID: "w1", sessionID: nil) == nil)
        #expect(Authorization.authorize(own, .readState, webinarID: "w1", sessionID: "s1") == nil)
        #expect(Authorization.authorize(own, .readState, webinarID: "w1", sessionID: "s2")?.slug == "forbidden-session")
    }

    @Test func attendeeWithoutSessionClaimReadsRoomStateButPostsNoFacts() {
        let anonymous = Self.claims(.attendee, session: nil)
        #expect(Authorization.authorize(anonymous, .readState, webinarID: "w1", sessionID: nil) == nil)
        #expect(Authorization.authorize(anonymous, .readState, webinarID: "w1", sessionID: "s1")?.slug == "forbidden-session")
        #expect(Authorization.authorize(anonymous, .clientFact, webinarID: "w1", sessionID: "s1")?.slug == "forbidden-session")
    }

    @Test func systemActsForAnySession() {
        for session in ["s1", "s2", "other:session"] {
            #expect(Authorization.authorize(Self.claims(.system, session: "s1"), .clientFact, webinarID: "w1", sessionID: session) == nil)
            #expect(Authorization.authorize(Self.claims(.system, session: nil), .clientFact, webinarID: "w1", sessionID: session) == nil)
            #expect(Authorization.authorize(Self.claims(.system, session: nil), .readState, webinarID: "w1", sessionID: session) == nil)
        }
    }

    @Test func guestNeverPostsFacts() {
        let guest = Self.claims(.guest, session: "s1")
        #expect(Authorization.authorize(guest, .clientFact, webinarID: "w1", sessionID: "s1")?.slug == "forbidden-role")
        #expect(Authorization.authorize(guest, .readState, webinarID: "w1", sessionID: nil) == nil)
    }

    @Test func forbiddenProblemsAreProblemJSON() {
        for problem in [Authorization.forbiddenRole, Authorization.forbiddenScope, Authorization.forbiddenSession] {
            let response = problem.response
            #expect(response.status == 403)
            #expect(response.headers.contains { $0.0 == "Content-Type" && $0.1 == "application/problem+json" })
        }
    }

    // MARK: 401 answers

    static func header(_ value: String?) -> HTTPHeaders {
        HTTPHeaders(value.map { [("Host", "x"), ("Authorization", $0)] } ?? [("Host", "x")])
    }

    static func authorization() throws -> Authorization { Authorization(verifier: try AuthFixture.verifier()) }

    static func bodyText(_ problem: Problem) -> String {
        if case .bytes(let b) = problem.response.body { return String(decoding: b, as: UTF8.self) }
        return ""
    }

    @Test func missingTokenIs401WithChallengeAndNoErrorCode() throws {
        for value in [nil, "Basic dXNlcjpwYXNz", "", "Bearertoken"] as [String?] {
            guard case .failure(let problem) = try Self.authorization().authenticate(headers: Self.header(value), now: AuthFixture.now) else {
                Issue.record("accepted \(String(describing: value))")
                continue
            }
            let response = problem.response
            #expect(response.status == 401)
            #expect(response.headers.contains { $0 == ("Content-Type", "application/problem+json") })
            #expect(response.headers.contains { $0 == ("WWW-Authenticate", "Bearer realm=\"webinars-gateway\"") })
        }
    }

    @Test func refusedTokenIs401InvalidTokenAndNeverEchoed() throws {
        let expired = JWTSigner.sign(AuthFixture.claims(exp: AuthFixture.now - 3600), kid: "k1", secret: AuthFixture.secret1)
        let wrongKey = AuthFixture.token(secret: "guess")
        for value in ["Bearer " + expired, "Bearer " + wrongKey, "Bearer", "Bearer ", "Bearer a b", "Bearer \u{e9}", "Bearer abc"] {
            guard case .failure(let problem) = try Self.authorization().authenticate(headers: Self.header(value), now: AuthFixture.now) else {
                Issue.record("accepted \(value)")
                continue
            }
            let response = problem.response
            #expect(response.status == 401)
            #expect(response.headers.contains { $0 == ("Content-Type", "application/problem+json") })
            #expect(response.headers.contains { $0 == ("WWW-Authenticate", "Bearer realm=\"webinars-gateway\", error=\"invalid_token\"") })
            let body = Self.bodyText(problem)
            #expect(!body.contains(expired) && !body.contains(wrongKey))
            #expect(!body.contains("detail") && !body.contains("signature") && !body.contains("kid"))
        }
    }

    @Test func severalAuthorizationFieldsAreRefused() throws {
        let token = AuthFixture.token()
        let headers = HTTPHeaders([("Authorization", "Bearer " + token), ("Authorization", "Bearer " + token)])
        let result = try Self.authorization().authenticate(headers: headers, now: AuthFixture.now)
        #expect(throws: Problem.self) { try result.get() }
    }

    @Test func bearerSchemeIsCaseInsensitiveAndSpacesAreSkipped() throws {
        let token = AuthFixture.token()
        for value in ["Bearer " + token, "bearer " + token, "BEARER   " + token] {
            let claims = try Self.authorization().authenticate(headers: Self.header(value), now: AuthFixture.now).get()
            #expect(claims.sub == "user-1")
        }
    }
}
