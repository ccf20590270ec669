// HS256 JWT verification (RFC 7515 JWS compact form, RFC 7519 JWT, RFC 8725 best practices).
// Order matters: size and shape, header (`alg` exactly "HS256", no `crit`, known `kid`), signature in
// constant time, and only then the payload and its claims. Time is the `now` argument (Unix seconds).
// Verified tokens are remembered in a bounded `VerifiedTokenCache` (see there for why that is safe).

/// Verifies tokens against a fixed key set. Thread-safe; share one per node.
public final class JWTVerifier: Sendable {
    /// Verification limits; each one a named setting with its unit.
    public struct Settings: Sendable {
        /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
        public var leewaySeconds: Int64 = 30
        /// Longest token accepted, in bytes (a request head is at most 16 KiB anyway).
        public var maxTokenBytes: Int = 8192
        /// Verified tokens remembered; 0 turns the cache off.
        public var cacheCapacity: Int = 1024

        public init() {}
    }

    /// The keys tokens are checked against.
    public let keys: JWTKeySet
    /// The limits in force.
    public let settings: Settings
    private let cache: VerifiedTokenCache?

    /// A verifier for `keys`.
    /// - Parameters:
    ///   - keys: the accepted HS256 keys.
    ///   - settings: leeway, size limit and cache size.
    public init(keys: JWTKeySet, settings: Settings = Settings()) {
        self.keys = keys
        self.settings = settings
        self.cache = settings.cacheCapacity > 0 ? VerifiedTokenCache(capacity: settings.cacheCapacity) : nil
    }

    /// Checks `token` and returns its claims.
    /// - Parameters:
    ///   - token: JWS compact serialization (`header.payload.signature`).
    ///   - now: the current time, Unix seconds.
    /// - Returns: the claims, or why the token is refused (for logs; never tell the client).
    public func verify(token: String, now: Int64) -> Result<Claims, AuthFailure> {
        let count = token.utf8.count
        guard count > 0, count <= settings.maxTokenBytes else { return .failure(.malformed) }
        let key = VerifiedTokenCache.Key(bytes: Array(token.utf8))
        if let cache, let claims = cache.lookup(key, now: now) { return .success(claims) }
        let result = key.bytes.withUnsafeBytes { verifyUncached($0, now: now) }
        switch result {
        case .success(let entry):
            cache?.store(key, entry)
            return .success(entry.claims)
        case .failure(let failure):
            return .failure(failure)
        }
    }

    /// Tokens in the cache now (for tests).
    var cachedCount: Int { cache?.count ?? 0 }

    private func verifyUncached(_ token: UnsafeRawBufferPointer, now: Int64) -> Result<VerifiedTokenCache.Entry, AuthFailure> {
        // Shape: exactly three segments, each strict base64url.
        var dots: [Int] = []
        for (offset, byte) in token.enumerated() where byte == UInt8(ascii: ".") {
            dots.append(offset)
            if dots.count > 2 { return .failure(.malformed) }
        }
        guard dots.count == 2 else { return .failure(.malformed) }
        let headerPart = UnsafeRawBufferPointer(rebasing: token[0..<dots[0]])
        let payloadPart = UnsafeRawBufferPointer(rebasing: token[(dots[0] + 1)..<dots[1]])
        let signaturePart = UnsafeRawBufferPointer(rebasing: token[(dots[1] + 1)...])

        guard let headerBytes = Base64URL.decode(headerPart), let payloadBytes = Base64URL.decode(payloadPart),
              let signature = Base64URL.decode(signaturePart) else { return .failure(.malformed) }

        // Header: algorithm pinned to HS256, no critical extensions, known key.
        guard let header = JWTJSONParser.parseObject(headerBytes) else { return .failure(.badHeader) }
        guard header["alg"]?.stringValue == "HS256" else { return .failure(.unsupportedAlgorithm) }
        guard header["crit"] == nil else { return .failure(.badHeader) }
        guard let kid = header["kid"]?.stringValue else { return .failure(.badHeader) }
        guard let secret = keys.secret(for: kid) else { return .failure(.unknownKey) }

        // Signature over the ASCII bytes "header.payload", compared in constant time.
        let expected = Crypto.hmacSHA256(key: secret, data: UnsafeRawBufferPointer(rebasing: token[0..<dots[1]]))
        guard !expected.isEmpty, Crypto.constantTimeEquals(expected, signature) else { return .failure(.badSignature) }

        // Only now is the payload trusted enough to parse.
        guard let payload = JWTJSONParser.parseObject(payloadBytes) else { return .failure(.badPayload) }
        return checkClaims(payload, now: now)
    }

    /// Largest NumericDate accepted (year ~33658), keeping `Int64` conversion exact and safe.
    private static let maxNumericDate: Double = 1e12

    private func numericDate(_ payload: [String: ClaimValue], _ name: String) -> Result<Double?, AuthFailure> {
        guard let value = payload[name] else { return .success(nil) }
        guard let n = value.numberValue, n >= 0, n <= Self.maxNumericDate else { return .failure(.invalidClaim(name)) }
        return .success(n)
    }

    private func identifier(_ payload: [String: ClaimValue], _ name: String) -> Result<String?, AuthFailure> {
        guard let value = payload[name] else { return .success(nil) }
        guard let s = value.stringValue, Identifier.isValid(s) else { return .failure(.invalidClaim(name)) }
        return .success(s)
    }

    private func checkClaims(_ payload: [String: ClaimValue], now: Int64) -> Result<VerifiedTokenCache.Entry, AuthFailure> {
        let leeway = Double(settings.leewaySeconds)
        let seconds = Double(now)
        let exp: Double, nbf: Double?, iat: Double?
        do throws(AuthFailure) {
            guard let e = try numericDate(payload, "exp").get() else { return .failure(.missingClaim("exp")) }
            exp = e
            nbf = try numericDate(payload, "nbf").get()
            iat = try numericDate(payload, "iat").get()
        } catch {
            return .failure(error)
        }
        guard seconds < exp + leeway else { return .failure(.expired) }
        if let nbf, seconds < nbf - leeway { return .failure(.notYetValid) }
        if let iat, seconds < iat - leeway { return .failure(.issuedInFuture) }

        let sub: String
        let webinarID, sessionID, leadID, userID, refID: String?
        do throws(AuthFailure) {
            guard let s = try identifier(payload, "sub").get() else { return .failure(.missingClaim("sub")) }
            sub = s
            webinarID = try identifier(payload, "webinar_id").get()
            sessionID = try identifier(payload, "session_id").get()
            leadID = try identifier(payload, "lead_id").get()
            userID = try identifier(payload, "user_id").get()
            refID = try identifier(payload, "ref_id").get()
        } catch {
            return .failure(error)
        }
        guard let roleValue = payload["role"] else { return .failure(.missingClaim("role")) }
        guard let roleText = roleValue.stringValue, let role = Claims.Role(rawValue: roleText) else {
            return .failure(.invalidClaim("role"))
        }
        var webinarType = Claims.WebinarType.live
        if let typeValue = payload["webinar_type"] {
            guard let text = typeValue.stringValue, let t = Claims.WebinarType(rawValue: text) else {
                return .failure(.invalidClaim("webinar_type"))
            }
            webinarType = t
        }
        let claims = Claims(sub: sub, role: role, webinarID: webinarID, sessionID: sessionID, leadID: leadID,
                            userID: userID, refID: refID, webinarType: webinarType,
                            exp: Int64(exp.rounded(.down)), raw: payload)
        let validFrom = max(nbf.map { $0 - leeway } ?? -.infinity, iat.map { $0 - leeway } ?? -.infinity)
        return .success(VerifiedTokenCache.Entry(claims: claims, validFrom: validFrom, validUntil: exp + leeway))
    }
}
