// Crypto primitives (RFC 4231 HMAC-SHA256 vectors, FIPS 180-4 SHA-256), strict base64url (RFC 4648 §5
// and §10 vectors) and the identifier rule. Pure: no network, no clock.
import Testing
@testable import Gateway
import HTTPServer

func authHex(_ bytes: [UInt8]) -> String {
    bytes.map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined()
}

@Suite struct AuthCryptoTests {
    struct HMACVector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let rfc4231: [HMACVector] = [
        HMACVector(name: "case 1", key: Array(repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
                   mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        HMACVector(name: "case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
                   mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        HMACVector(name: "case 3", key: Array(repeating: 0xaa, count: 20), data: Array(repeating: 0xdd, count: 50),
                   mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        HMACVector(name: "case 4", key: Array(1...25), data: Array(repeating: 0xcd, count: 50),
                   mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        HMACVector(name: "case 5 (truncated to 128 bits)", key: Array(repeating: 0x0c, count: 20),
                   data: Array("Test With Truncation".utf8), mac: "a3b6167473100ee06e0c796c2955552b"),
        HMACVector(name: "case 6", key: Array(repeating: 0xaa, count: 131),
                   data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                   mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        HMACVector(name: "case 7", key: Array(repeating: 0xaa, count: 131),
                   data: Array(("This is a test using a larger than block-size key and a larger than block-size data."
                                + " The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                   mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: rfc4231)
    func hmacSHA256MatchesRFC4231(_ v: HMACVector) {
        let mac = Crypto.hmacSHA256(key: v.key, data: v.data)
        #expect(mac.count == 32)
        #expect(authHex(mac).hasPrefix(v.mac))
    }

    @Test func hmacWithEmptyKeyAndData() {
        // Python: hmac.new(b"", b"", sha256).hexdigest()
        #expect(authHex(Crypto.hmacSHA256(key: [], data: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func sha256KnownAnswers() {
        #expect(authHex(Crypto.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(authHex(Crypto.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func constantTimeEquals() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(Crypto.constantTimeEquals([], []))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!Crypto.constantTimeEquals([], [0]))
    }

    @Test func randomBytes() {
        #expect(Crypto.randomBytes(count: 0) == [])
        #expect(Crypto.randomBytes(count: -1) == nil)
        let a = Crypto.randomBytes(count: 32)
        let b = Crypto.randomBytes(count: 32)
        #expect(a?.count == 32)
        #expect(a != b)
    }

    // MARK: base64url

    @Test(arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
                      ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")])
    func base64URLVectors(_ plain: String, _ encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func base64URLUsesURLAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.encode([0xfb, 0xef, 0xbe]) == "----")
        #expect(Base64URL.encode([0xff, 0xff, 0xff]) == "____")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
    }

    @Test func base64URLRoundTripsEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...130 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("="))
            #expect(Base64URL.decode(text) == bytes, "length \(length)")
        }
    }

    @Test(arguments: ["Zg==", "Zm8=", "Zm9v=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v\n", " Zm9v",
                      "Zm 9v", "Zm9v.", "Zé", "Zm9v\u{0}", "****", "Zm9vYmFy="])
    func base64URLRejects(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    // MARK: identifiers

    @Test(arguments: ["a", "A-Z_a.z:0-9", "lead:42", "s.1-2_3", String(repeating: "x", count: 128)])
    func identifierAccepts(_ id: String) {
        #expect(Identifier.isValid(id))
    }

    @Test(arguments: ["", " ", "a b", "a/b", "a%20b", "é", "a\u{0}", "a\n", "a+b", "a@b", "{}", "\"",
                      String(repeating: "x", count: 129)])
    func identifierRejects(_ id: String) {
        #expect(!Identifier.isValid(id))
    }
}
