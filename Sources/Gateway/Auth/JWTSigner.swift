// Mints HS256 tokens for tests and `gateway token`. Production tokens come from the canon's backend;
// this is the same format, so what it signs `JWTVerifier` accepts.

/// Signs HS256 JWTs.
public enum JWTSigner {
    /// Signs `claims` as a JWS compact token with header `{"alg":"HS256","typ":"JWT","kid":kid}`.
    /// - Parameters:
    ///   - claims: the claims (`raw` is ignored; `webinar_type` is always written).
    ///   - issuedAt: `iat`, Unix seconds, if any.
    ///   - notBefore: `nbf`, Unix seconds, if any.
    ///   - kid: key id for the header.
    ///   - secret: the raw UTF-8 secret of that key.
    /// - Returns: `header.payload.signature`.
    public static func sign(_ claims: Claims, issuedAt: Int64? = nil, notBefore: Int64? = nil,
                            kid: String, secret: String) -> String {
        var payload = "{\"sub\":" + JSONText.quoted(claims.sub) + ",\"role\":" + JSONText.quoted(claims.role.rawValue)
        let optional: [(String, String?)] = [
            ("webinar_id", claims.webinarID), ("session_id", claims.sessionID), ("lead_id", claims.leadID),
            ("user_id", claims.userID), ("ref_id", claims.refID),
        ]
        for case let (name, value?) in optional {
            payload += "," + JSONText.quoted(name) + ":" + JSONText.quoted(value)
        }
        payload += ",\"webinar_type\":" + JSONText.quoted(claims.webinarType.rawValue)
        if let issuedAt { payload += ",\"iat\":\(issuedAt)" }
        if let notBefore { payload += ",\"nbf\":\(notBefore)" }
        payload += ",\"exp\":\(claims.exp)}"
        let header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":" + JSONText.quoted(kid) + "}"
        return sign(header: header, payload: payload, secret: secret)
    }

    /// Signs arbitrary header and payload texts with HMAC-SHA256, whatever they say (tests use it to
    /// build tokens the verifier must refuse).
    /// - Parameters:
    ///   - header: the header JSON text (not checked).
    ///   - payload: the payload JSON text (not checked).
    ///   - secret: the raw UTF-8 secret.
    /// - Returns: `base64url(header).base64url(payload).base64url(HMAC)`.
    public static func sign(header: String, payload: String, secret: String) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let mac = Crypto.hmacSHA256(key: Array(secret.utf8), data: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(mac)
    }
}
