// JWTVerifier: sign → verify round trips, key rotation, and every forged or broken token refused.
// Time is injected (`now`); nothing sleeps.
import Testing
@testable import Gateway
import HTTPServer

enum AuthFixture {
    static let now: Int64 = 1_800_000_000
    static let secret1 = "secret-one"
    static let secret2 = "secret-two"

    static func keys() throws -> JWTKeySet { try JWTKeySet(["k1": secret1, "k2": secret2]) }
    static func verifier(_ settings: JWTVerifier.Settings = .init()) throws -> JWTVerifier {
        JWTVerifier(keys: try keys(), settings: settings)
    }

    static func claims(_ role: Claims.Role = .attendee, exp: Int64 = now + 600) -> Claims {
        Claims(sub: "user-1", role: role, webinarID: "w1", sessionID: "s1", leadID: "lead:9", userID: "u.7",
               refID: "ref_3", webinarType: .auto, exp: exp)
    }

    static let header = #"{"alg":"HS256","typ":"JWT","kid":"k1"}"#

    /// A payload with the required claims plus `extra` members (JSON text without braces).
    static func payload(_ extra: String = "", exp: String? = "\(now + 600)") -> String {
        var members = [#""sub":"user-1""#, #""role":"attendee""#]
        if let exp { members.append(#""exp":"# + exp) }
        if !extra.isEmpty { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func token(header: String = header, payload: String = payload(), secret: String = secret1) -> String {
        JWTSigner.sign(header: header, payload: payload, secret: secret)
    }
}

@Suite struct AuthVerifierTests {
    @Test func signThenVerifyRoundTrips() throws {
        let v = try AuthFixture.verifier()
        let claims = AuthFixture.claims()
        let token = JWTSigner.sign(claims, issuedAt: AuthFixture.now, kid: "k1", secret: AuthFixture.secret1)
        let got = try v.verify(token: token, now: AuthFixture.now).get()
        #expect(got.sub == "user-1")
        #expect(got.role == .attendee)
        #expect(got.webinarID == "w1")
        #expect(got.sessionID == "s1")
        #expect(got.leadID == "lead:9")
        #expect(got.userID == "u.7")
        #expect(got.refID == "ref_3")
        #expect(got.webinarType == .auto)
        #expect(got.exp == AuthFixture.now + 600)
        #expect(got.raw["iat"] == .number(Double(AuthFixture.now)))
        #expect(got.raw["sub"] == .string("user-1"))
    }

    @Test func optionalClaimsDefault() throws {
        let v = try AuthFixture.verifier()
        let got = try v.verify(token: AuthFixture.token(), now: AuthFixture.now).get()
        #expect(got.webinarType == .live)
        #expect(got.webinarID == nil && got.sessionID == nil && got.leadID == nil && got.userID == nil && got.refID == nil)
    }

    @Test func keyRotationAcceptsEveryConfiguredKid() throws {
        let v = try AuthFixture.verifier()
        let t1 = JWTSigner.sign(AuthFixture.claims(), kid: "k1", secret: AuthFixture.secret1)
        let t2 = JWTSigner.sign(AuthFixture.claims(), kid: "k2", secret: AuthFixture.secret2)
        #expect((try? v.verify(token: t1, now: AuthFixture.now).get()) != nil)
        #expect((try? v.verify(token: t2, now: AuthFixture.now).get()) != nil)
        let t3 = JWTSigner.sign(AuthFixture.claims(), kid: "k3", secret: "secret-three")
        #expect(v.verify(token: t3, now: AuthFixture.now) == .failure(.unknownKey))
        // After rotation drops k1, its tokens stop working.
        let rotated = JWTVerifier(keys: try JWTKeySet(["k2": AuthFixture.secret2]))
        #expect(rotated.verify(token: t1, now: AuthFixture.now) == .failure(.unknownKey))
        #expect((try? rotated.verify(token: t2, now: AuthFixture.now).get()) != nil)
    }

    @Test func timeClaimsHonourTheLeeway() throws {
        let v = try AuthFixture.verifier(), now = AuthFixture.now
        func check(_ extra: String, exp: Int64 = AuthFixture.now + 600) -> Result<Claims, AuthFailure> {
            v.verify(token: AuthFixture.token(payload: AuthFixture.payload(extra, exp: "\(exp)")), now: now)
        }
        #expect(check("", exp: now - 31) == .failure(.expired))
        #expect(check("", exp: now - 30) == .failure(.expired))
        #expect((try? check("", exp: now - 29).get()) != nil, "expired within the leeway is accepted")
        #expect(check(#""nbf":\#(now + 31)"#) == .failure(.notYetValid))
        #expect((try? check(#""nbf":\#(now + 30)"#).get()) != nil, "nbf within the leeway is accepted")
        #expect(check(#""iat":\#(now + 31)"#) == .failure(.issuedInFuture))
        #expect((try? check(#""iat":\#(now + 29)"#).get()) != nil)
        #expect((try? check(#""nbf":\#(now - 100),"iat":\#(now - 100)"#).get()) != nil)
        #expect((try? check(#""nbf":1.8e9"#).get()) != nil, "numbers in exponent form")
        // The leeway is a setting.
        var strict = JWTVerifier.Settings()
        strict.leewaySeconds = 0
        let sv = try AuthFixture.verifier(strict)
        #expect(sv.verify(token: AuthFixture.token(payload: AuthFixture.payload(exp: "\(now)")), now: now) == .failure(.expired))
        #expect((try? sv.verify(token: AuthFixture.token(payload: AuthFixture.payload(exp: "\(now + 1)")), now: now).get()) != nil)
    }

    struct Forged: Sendable, CustomTestStringConvertible {
        let name: String
        let token: String
        let reason: AuthFailure?
        var testDescription: String { name }
        init(_ name: String, _ token: String, _ reason: AuthFailure? = nil) {
            self.name = name
            self.token = token
            self.reason = reason
        }
    }

    static let forged: [Forged] = {
        typealias F = AuthFixture
        let valid = F.token()
        let parts = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let b64 = { (s: String) in Base64URL.encode(Array(s.utf8)) }
        var flipped = Base64URL.decode(parts[2]) ?? []
        flipped[5] ^= 0x01
        let otherPayload = b64(F.payload(exp: "\(F.now + 99999)"))
        let badUTF8 = b64(F.header) + "." + Base64URL.encode(Array(F.payload().utf8.dropLast()) + [0xff, 0x7d])
        let badUTF8Token = badUTF8 + "." + Base64URL.encode(Crypto.hmacSHA256(key: Array(F.secret1.utf8), data: Array(badUTF8.utf8)))
        return [
            Forged("alg none, empty signature", b64(#"{"alg":"none","kid":"k1"}"#) + "." + parts[1] + ".", .unsupportedAlgorithm),
            Forged("alg none, no signature segment", b64(#"{"alg":"none","kid":"k1"}"#) + "." + parts[1], .malformed),
            Forged("alg none, with a signature", F.token(header: #"{"alg":"none","kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg HS512", F.token(header: #"{"alg":"HS512","kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg RS256", F.token(header: #"{"alg":"RS256","kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg hs256 lowercase", F.token(header: #"{"alg":"hs256","kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg missing", F.token(header: #"{"kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg not a string", F.token(header: #"{"alg":256,"kid":"k1"}"#), .unsupportedAlgorithm),
            Forged("alg given twice", F.token(header: #"{"alg":"HS256","alg":"none","kid":"k1"}"#), .badHeader),
            Forged("kid missing", F.token(header: #"{"alg":"HS256"}"#), .badHeader),
            Forged("kid not a string", F.token(header: #"{"alg":"HS256","kid":1}"#), .badHeader),
            Forged("crit header", F.token(header: #"{"alg":"HS256","kid":"k1","crit":["b64"],"b64":false}"#), .badHeader),
            Forged("non-JSON header", b64("not json") + "." + parts[1] + "." + parts[2], .badHeader),
            Forged("header is an array", F.token(header: #"["HS256"]"#), .badHeader),
            Forged("wrong key", F.token(secret: F.secret2), .badSignature),
            Forged("signature bit-flipped", parts[0] + "." + parts[1] + "." + Base64URL.encode(flipped), .badSignature),
            Forged("payload changed after signing", parts[0] + "." + otherPayload + "." + parts[2], .badSignature),
            Forged("signature of another token", parts[0] + "." + parts[1] + "." + (F.token(payload: F.payload(exp: "1")).split(separator: ".").last.map(String.init) ?? ""), .badSignature),
            Forged("signature text truncated", String(valid.dropLast(4))),
            Forged("signature bytes truncated", parts[0] + "." + parts[1] + "." + Base64URL.encode((Base64URL.decode(parts[2]) ?? []).dropLast(2)), .badSignature),
            Forged("signature padded", valid + "=", .malformed),
            Forged("truncated to half", String(valid.prefix(valid.count / 2))),
            Forged("truncated after header", parts[0] + "."),
            Forged("two segments", parts[0] + "." + parts[1], .malformed),
            Forged("four segments", valid + "." + parts[2], .malformed),
            Forged("empty string", "", .malformed),
            Forged("only dots", "..", .badHeader),
            Forged("bad base64 in payload", parts[0] + "." + parts[1] + "*" + "." + parts[2], .malformed),
            Forged("standard base64 alphabet", valid.replacingOccurrences(of: "_", with: "/").replacingOccurrences(of: "-", with: "+") + "+/"),
            Forged("whitespace inside", parts[0] + ". " + parts[1] + "." + parts[2], .malformed),
            Forged("non-ASCII", parts[0] + "é." + parts[1] + "." + parts[2], .malformed),
            Forged("huge garbage", String(repeating: "a", count: 100_000), .malformed),
            Forged("huge dotted garbage", String(repeating: "ab.", count: 3000), .malformed),
            Forged("missing exp", F.token(payload: F.payload(exp: nil)), .missingClaim("exp")),
            Forged("exp is a string", F.token(payload: F.payload(exp: "\"9999999999\"")), .invalidClaim("exp")),
            Forged("exp is negative", F.token(payload: F.payload(exp: "-1")), .invalidClaim("exp")),
            Forged("exp absurdly large", F.token(payload: F.payload(exp: "1e300")), .invalidClaim("exp")),
            Forged("exp overflows a double", F.token(payload: F.payload(exp: "1e400")), .badPayload),
            Forged("nbf is a string", F.token(payload: F.payload(#""nbf":"0""#)), .invalidClaim("nbf")),
            Forged("missing sub", F.token(payload: #"{"role":"system","exp":\#(F.now + 60)}"#), .missingClaim("sub")),
            Forged("sub is a number", F.token(payload: #"{"sub":7,"role":"system","exp":\#(F.now + 60)}"#), .invalidClaim("sub")),
            Forged("sub is empty", F.token(payload: #"{"sub":"","role":"system","exp":\#(F.now + 60)}"#), .invalidClaim("sub")),
            Forged("sub has a space", F.token(payload: #"{"sub":"a b","role":"system","exp":\#(F.now + 60)}"#), .invalidClaim("sub")),
            Forged("sub has 129 chars", F.token(payload: #"{"sub":"\#(String(repeating: "x", count: 129))","role":"system","exp":\#(F.now + 60)}"#), .invalidClaim("sub")),
            Forged("missing role", F.token(payload: #"{"sub":"a","exp":\#(F.now + 60)}"#), .missingClaim("role")),
            Forged("unknown role", F.token(payload: #"{"sub":"a","role":"admin","exp":\#(F.now + 60)}"#), .invalidClaim("role")),
            Forged("role wrong case", F.token(payload: #"{"sub":"a","role":"System","exp":\#(F.now + 60)}"#), .invalidClaim("role")),
            Forged("role not a string", F.token(payload: #"{"sub":"a","role":["system"],"exp":\#(F.now + 60)}"#), .invalidClaim("role")),
            Forged("webinar_id bad chars", F.token(payload: F.payload(#""webinar_id":"w/1""#)), .invalidClaim("webinar_id")),
            Forged("session_id 129 chars", F.token(payload: F.payload(#""session_id":"\#(String(repeating: "s", count: 129))""#)), .invalidClaim("session_id")),
            Forged("lead_id null", F.token(payload: F.payload(#""lead_id":null"#)), .invalidClaim("lead_id")),
            Forged("user_id a number", F.token(payload: F.payload(#""user_id":5"#)), .invalidClaim("user_id")),
            Forged("ref_id empty", F.token(payload: F.payload(#""ref_id":"""#)), .invalidClaim("ref_id")),
            Forged("ref_id escaped space", F.token(payload: F.payload(#""ref_id":"a\u0020b""#)), .invalidClaim("ref_id")),
            Forged("webinar_type unknown", F.token(payload: F.payload(#""webinar_type":"recorded""#)), .invalidClaim("webinar_type")),
            Forged("payload not JSON", F.token(payload: "sub=admin"), .badPayload),
            Forged("payload is an array", F.token(payload: "[1]"), .badPayload),
            Forged("payload duplicate role", F.token(payload: F.payload(#""role":"system""#)), .badPayload),
            Forged("payload trailing bytes", F.token(payload: F.payload() + "x"), .badPayload),
            Forged("payload lone surrogate", F.token(payload: F.payload(#""x":"\ud800""#)), .badPayload),
            Forged("payload raw control char", F.token(payload: F.payload("\"x\":\"a\u{1}\"")), .badPayload),
            Forged("payload invalid UTF-8", badUTF8Token, .badPayload),
            Forged("payload nested too deep", F.token(payload: F.payload(#""x":"# + String(repeating: "[", count: 16) + String(repeating: "]", count: 16))), .badPayload),
            Forged("payload leading zero", F.token(payload: F.payload(exp: "01800000600")), .badPayload),
        ]
    }()

    @Test(arguments: forged)
    func forgedTokenIsRefused(_ f: Forged) throws {
        let v = try AuthFixture.verifier()
        // A valid token verified (and cached) first must not help any forged one.
        _ = try v.verify(token: AuthFixture.token(), now: AuthFixture.now).get()
        let result = v.verify(token: f.token, now: AuthFixture.now)
        if let reason = f.reason {
            #expect(result == .failure(reason))
        } else {
            #expect(throws: AuthFailure.self) { try result.get() }
        }
    }

    @Test func parserAcceptsValidJSONDetails() throws {
        let v = try AuthFixture.verifier()
        let payload = #" { "sub" : "a\u002Db" , "role":"system","exp":1.8000006E9, "x":{"y":[1,-0.5e-3,true,false,null,"\ud83d\ude00\/\n"]}} "#
        let claims = try v.verify(token: AuthFixture.token(payload: payload), now: AuthFixture.now).get()
        #expect(claims.sub == "a-b")
        #expect(claims.exp == 1_800_000_600)
        #expect(claims.raw["x"] == .object(["y": .array([.number(1), .number(-0.0005), .bool(true), .bool(false), .null, .string("😀/\n")])]))
        let deepest = #""x":"# + String(repeating: "[", count: 15) + String(repeating: "]", count: 15)
        #expect((try? v.verify(token: AuthFixture.token(payload: AuthFixture.payload(deepest)), now: AuthFixture.now).get()) != nil)
    }

    @Test func everyMutationOfAValidTokenIsRefused() throws {
        let v = try AuthFixture.verifier()
        let valid = JWTSigner.sign(AuthFixture.claims(), kid: "k1", secret: AuthFixture.secret1)
        _ = try v.verify(token: valid, now: AuthFixture.now).get()
        let bytes = Array(valid.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ".utf8)
        var accepted = 0
        for position in bytes.indices {
            for replacement in alphabet where replacement != bytes[position] {
                var mutated = bytes
                mutated[position] = replacement
                if case .success = v.verify(token: String(decoding: mutated, as: UTF8.self), now: AuthFixture.now) { accepted += 1 }
            }
        }
        #expect(accepted == 0)
    }

    @Test func cacheHonoursTheValidityWindow() throws {
        let v = try AuthFixture.verifier(), now = AuthFixture.now
        let token = JWTSigner.sign(AuthFixture.claims(exp: now + 60), issuedAt: now, kid: "k1", secret: AuthFixture.secret1)
        #expect((try? v.verify(token: token, now: now).get()) != nil)
        #expect(v.cachedCount == 1)
        #expect((try? v.verify(token: token, now: now + 89).get()) != nil, "still inside exp + leeway")
        #expect(v.verify(token: token, now: now + 90) == .failure(.expired), "the cache does not outlive exp")
        #expect(v.verify(token: token, now: now - 31) == .failure(.issuedInFuture), "nor reach before iat")
        #expect((try? v.verify(token: token, now: now).get()) != nil)
        #expect(v.cachedCount == 1)
    }

    @Test func cacheIsBoundedAndCanBeTurnedOff() throws {
        var small = JWTVerifier.Settings()
        small.cacheCapacity = 64
        let v = try AuthFixture.verifier(small)
        for i in 0..<2000 {
            let claims = Claims(sub: "user-\(i)", role: .guest, exp: AuthFixture.now + 60)
            let token = JWTSigner.sign(claims, kid: "k2", secret: AuthFixture.secret2)
            #expect((try? v.verify(token: token, now: AuthFixture.now).get())?.sub == "user-\(i)")
        }
        #expect(v.cachedCount <= 64)
        var off = JWTVerifier.Settings()
        off.cacheCapacity = 0
        let u = try AuthFixture.verifier(off)
        #expect((try? u.verify(token: AuthFixture.token(), now: AuthFixture.now).get()) != nil)
        #expect(u.cachedCount == 0)
    }

    @Test func keySetRefusesBadConfiguration() {
        #expect(throws: ConfigurationError.self) { try JWTKeySet([:]) }
        #expect(throws: ConfigurationError.self) { try JWTKeySet(["": "x"]) }
        #expect(throws: ConfigurationError.self) { try JWTKeySet(["k": ""]) }
        #expect(throws: ConfigurationError.self) { try JWTKeySet.parse("k1:a,k1:b") }
        #expect(throws: ConfigurationError.self) { try JWTKeySet.parse("k1:a,") }
        #expect(throws: ConfigurationError.self) { try JWTKeySet.parse("nocolon") }
        #expect((try? JWTKeySet.parse("b:1,a:x:y"))?.kids == ["b", "a"])
        #expect((try? JWTKeySet.parse("b:1,a:x:y"))?.secret(for: "a") == Array("x:y".utf8))
    }
}
