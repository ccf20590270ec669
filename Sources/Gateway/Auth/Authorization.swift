// Auth subsystem contract (contract.md §1, §8)
// API: `Authorization.authenticate` turns a request's `Authorization: Bearer <JWT>` into `Claims` or a
// 401 problem; `Authorization.authorize` (Authorization+Policy.swift) applies the role table and answers
// 403. Underneath: `JWTVerifier` (HS256 only, `kid` → `JWTKeySet`, constant-time signature check before
// the payload is parsed, `exp` required, `nbf`/`iat` with a named leeway, time injected as `now`),
// `Identifier` (the id rule for tokens, paths and bodies), `JWTSigner` (tests and `gateway token`),
// `Crypto` (over `TLS.OpenSSL`, the only COpenSSL importer: HMAC-SHA256, SHA-256, constant-time compare, RAND_bytes).
// Guarantees: no input crashes it; a 401 never echoes the token nor says which check failed (the reason
// goes to one log line); a 401 always carries `WWW-Authenticate: Bearer realm="webinars-gateway"`, with
// `error="invalid_token"` when a token was presented (RFC 6750 §3).
import HTTP1
import HTTPServer

/// Authenticates requests by bearer token.
public struct Authorization: Sendable {
    /// The realm named in `WWW-Authenticate`.
    public static let realm = "webinars-gateway"

    /// The verifier tokens go through.
    public let verifier: JWTVerifier

    /// Authentication with `verifier`.
    /// - Parameter verifier: the node's token verifier.
    public init(verifier: JWTVerifier) {
        self.verifier = verifier
    }

    /// 401 for a request without a bearer token (RFC 6750 §3.1: no error code then).
    public static let missingToken = Problem(
        status: 401, slug: "unauthorized", title: "Authentication required",
        headers: [("WWW-Authenticate", "Bearer realm=\"\(realm)\"")])

    /// 401 for a bearer token that was presented and refused, whatever the reason.
    public static let invalidToken = Problem(
        status: 401, slug: "invalid-token", title: "The access token is invalid or expired",
        headers: [("WWW-Authenticate", "Bearer realm=\"\(realm)\", error=\"invalid_token\"")])

    /// The claims of the request's bearer token.
    /// - Parameters:
    ///   - request: the request.
    ///   - now: the current time, Unix seconds.
    /// - Returns: the claims, or a 401 problem (`missingToken` or `invalidToken`).
    public func authenticate(_ request: Request, now: Int64) -> Result<Claims, Problem> {
        authenticate(headers: request.head.headers, now: now)
    }

    /// The claims of the bearer token in `headers`.
    /// - Parameters:
    ///   - headers: the request's header fields.
    ///   - now: the current time, Unix seconds.
    /// - Returns: the claims, or a 401 problem (`missingToken` or `invalidToken`).
    public func authenticate(headers: HTTPHeaders, now: Int64) -> Result<Claims, Problem> {
        let values = headers.values("authorization")
        guard let value = values.first else { return .failure(Self.missingToken) }
        guard values.count == 1 else { return reject("several Authorization fields") }
        switch Self.bearerToken(value) {
        case .none:
            return .failure(Self.missingToken)
        case .malformed:
            return reject("malformed bearer credentials")
        case .token(let token):
            switch verifier.verify(token: token, now: now) {
            case .success(let claims): return .success(claims)
            case .failure(let failure): return reject(failure.description)
            }
        }
    }

    private func reject(_ reason: String) -> Result<Claims, Problem> {
        Log.write(.info, "bearer token refused", [("reason", reason)])
        return .failure(Self.invalidToken)
    }

    /// What an `Authorization` field value holds.
    enum Credentials: Equatable {
        /// Another scheme (or an empty value): no bearer token was presented.
        case none
        /// `Bearer` with a missing or ill-formed token.
        case malformed
        /// `Bearer <b64token>`.
        case token(String)
    }

    /// Parses `Bearer 1*SP b64token` (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110 §11.1).
    static func bearerToken(_ value: String) -> Credentials {
        let utf8 = value.utf8
        let schemeEnd = utf8.firstIndex(of: UInt8(ascii: " ")) ?? utf8.endIndex
        let scheme = utf8[utf8.startIndex..<schemeEnd]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return .none }
        var start = schemeEnd
        while start < utf8.endIndex, utf8[start] == UInt8(ascii: " ") { start = utf8.index(after: start) }
        let token = utf8[start...]
        guard !token.isEmpty, token.allSatisfy(isB64TokenByte) else { return .malformed }
        // b64token allows trailing "=" only; JWS never has any, the verifier refuses them.
        return .token(String(decoding: token, as: UTF8.self))
    }

    private static func isB64TokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}

extension Authorization {
    /// The request's claims at the current time, or nil after `fail` received the 401 problem.
    func claims(_ request: Request, or fail: (Problem) -> Void) -> Claims? {
        switch authenticate(request, now: WallClock.nowMillis() / 1000) {
        case .success(let c): return c
        case .failure(let p):
            fail(p)
            return nil
        }
    }
}
