// Standard Webhooks v1 signing: the published vector of the standard-webhooks libraries
// (libraries/python/tests/test_webhooks.py `test_sign_function`), vectors computed with the reference
// `standardwebhooks` 1.3.0 from PyPI (`Webhook(secret).sign(id, timestamp, body)`), rotation headers,
// receiver-side verify with tolerance, strict base64 and the `whsec_` secret form. Pure.
import Testing
@testable import Gateway

@Suite struct WebhookSignerTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let secret: String
        let id: String
        let timestamp: Int64
        let body: String
        let signature: String
        var testDescription: String { name }
    }

    static let body42 = #"{"type":"client_webinar_left","timestamp":"2026-11-29T10:15:30.123Z","data":{"lead_id":"lead-1","note":"café ☃"}}"#

    static let vectors: [Vector] = [
        Vector(name: "standard-webhooks test_sign_function", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
               id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#,
               signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        Vector(name: "64-byte key, UTF-8 body (standardwebhooks 1.3.0)",
               secret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==",
               id: "evt_42", timestamp: 1_764_411_330, body: body42, signature: "v1,pfw8tL5kkg5o/+oktgvQoaxA5AbEo0Pdb9xPJjKoJ+8="),
        Vector(name: "32-byte key, UTF-8 body (standardwebhooks 1.3.0)", secret: "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=",
               id: "evt_42", timestamp: 1_764_411_330, body: body42, signature: "v1,XBmE0M6lWtPvhDgyteZ5lAAXAumPZvWe4DR6yrzkW44="),
    ]

    static func secret(_ text: String) throws -> WebhookSecret { try WebhookSecret.parse(text).get() }

    @Test(arguments: vectors) func signsLikeTheReference(_ v: Vector) throws {
        let s = try Self.secret(v.secret)
        #expect(WebhookSigner.signature(secret: s, id: v.id, timestamp: v.timestamp, body: Array(v.body.utf8)) == v.signature)
        #expect(WebhookSigner.header(secrets: [s], id: v.id, timestamp: v.timestamp, body: Array(v.body.utf8)) == v.signature)
        #expect(s.text == v.secret)
    }

    @Test(arguments: vectors) func verifiesTheReference(_ v: Vector) throws {
        let s = try Self.secret(v.secret)
        let body = Array(v.body.utf8)
        func check(id: String = v.id, body: [UInt8] = body, now: Int64) throws(WebhookSigner.VerifyError) {
            try WebhookSigner.verify(v.signature, secrets: [s], id: id, timestamp: String(v.timestamp), body: body, nowSeconds: now)
        }
        try check(now: v.timestamp + 300)
        try check(now: v.timestamp - 300)
        #expect(throws: WebhookSigner.VerifyError.timestampOutOfTolerance) { try check(now: v.timestamp + 301) }
        #expect(throws: WebhookSigner.VerifyError.timestampOutOfTolerance) { try check(now: v.timestamp - 301) }
        #expect(throws: WebhookSigner.VerifyError.noMatchingSignature) { try check(body: body + [0x20], now: v.timestamp) }
        #expect(throws: WebhookSigner.VerifyError.noMatchingSignature) { try check(id: v.id + "x", now: v.timestamp) }
    }

    @Test func rotationSendsNewThenPreviousAndEitherVerifies() throws {
        let new = try Self.secret(Self.vectors[2].secret), old = try Self.secret(Self.vectors[1].secret)
        let body = Array(Self.body42.utf8)
        let header = WebhookSigner.header(secrets: [new, old], id: "evt_42", timestamp: 1_764_411_330, body: body)
        #expect(header == Self.vectors[2].signature + " " + Self.vectors[1].signature)
        for s in [new, old] {
            try WebhookSigner.verify(header, secrets: [s], id: "evt_42", timestamp: "1764411330", body: body, nowSeconds: 1_764_411_330)
        }
    }

    @Test func verifySkipsOtherVersionsAndJunk() throws {
        let v = Self.vectors[0]
        let s = try Self.secret(v.secret)
        let header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz junk v1a,abc " + v.signature
        try WebhookSigner.verify(header, secrets: [s], id: v.id, timestamp: String(v.timestamp), body: Array(v.body.utf8), nowSeconds: v.timestamp)
        let v2only = "v2," + v.signature.dropFirst(3)
        #expect(throws: WebhookSigner.VerifyError.noMatchingSignature) {
            try WebhookSigner.verify(v2only, secrets: [s], id: v.id, timestamp: String(v.timestamp), body: Array(v.body.utf8), nowSeconds: v.timestamp)
        }
        #expect(throws: WebhookSigner.VerifyError.noMatchingSignature) {
            try WebhookSigner.verify(v.signature, secrets: [], id: v.id, timestamp: String(v.timestamp), body: Array(v.body.utf8), nowSeconds: v.timestamp)
        }
        for bad in ["", "hello", "-5", "1.5", " 1614265330", "99999999999999999999"] {
            #expect(throws: WebhookSigner.VerifyError.badTimestamp) {
                try WebhookSigner.verify(v.signature, secrets: [s], id: v.id, timestamp: bad, body: [], nowSeconds: v.timestamp)
            }
        }
    }

    // MARK: secrets and base64

    @Test(arguments: [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "no whsec_ prefix"),
        ("whsec_", "empty key"),
        ("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "prefix is case-sensitive"),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "length not a multiple of 4"),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w", "base64url alphabet"),
        ("whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw", "whitespace"),
        ("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=", "23 bytes: too short"),
        ("whsec_" + String(repeating: "AAAA", count: 22), "66 bytes: too long"),
        ("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGB==", "non-canonical padding bits"),
        ("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk===", "three pad characters"),
    ]) func refusesBadSecrets(_ text: String, _ why: String) {
        guard case .failure(let p) = WebhookSecret.parse(text) else { Issue.record("accepted: \(why)"); return }
        #expect(p.status == 422)
        #expect(p.detail?.hasPrefix("secret: ") == true)
    }

    @Test func acceptsBoundaryKeyLengths() throws {
        for count in [24, 64] {
            let text = "whsec_" + Crypto.base64Encode(Array(repeating: 7, count: count))
            #expect(try WebhookSecret.parse(text).get().key.count == count)
        }
    }

    @Test func generatesFromTheInjectedSource() throws {
        let s = try #require(WebhookSecret.generate(random: { Array(repeating: 0xAB, count: $0) }))
        #expect(s.key == Array(repeating: 0xAB, count: 32))
        #expect(try WebhookSecret.parse(s.text).get() == s)
        #expect(WebhookSecret.generate(random: { _ in nil }) == nil)
        #expect(WebhookSecret.generate(random: { _ in [1, 2] }) == nil)
        #expect("\(s)" == "whsec_<redacted>")
        let real = try #require(WebhookSecret.generate())
        #expect(real.key.count == 32 && real.text.hasPrefix("whsec_"))
    }

    @Test func base64MatchesRFC4648() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Crypto.base64Encode(Array(plain.utf8)) == encoded)
            #expect(Crypto.base64Decode(encoded) == Array(plain.utf8))
        }
        #expect(Crypto.base64Encode([0xFB, 0xFF]) == "+/8=")
        for bad in ["Zg", "Zg=", "Zh==", "Z===", "Zm9v\n", "=Zg=", "Zg==Zg=="] { #expect(Crypto.base64Decode(bad) == nil, "\(bad)") }
    }
}
