// The OpenSSL wrappers without a network: known answers for SHA-256 (FIPS 180-4) and HMAC-SHA256
// (RFC 4231 case 2, and an empty key and message), CSPRNG fill, and context set-up errors.
import Testing
import TLS

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { b in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
}

@Suite struct OpenSSLTests {
    @Test func sha256KnownAnswers() {
        let abc = Array("abc".utf8).withUnsafeBytes { OpenSSL.sha256($0) }
        #expect(hex(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let empty = [UInt8]().withUnsafeBytes { OpenSSL.sha256($0) }
        #expect(hex(empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacSHA256KnownAnswers() {
        let data = Array("what do ya want for nothing?".utf8)
        let mac = data.withUnsafeBytes { OpenSSL.hmacSHA256(key: Array("Jefe".utf8), data: $0) }
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Python: hmac.new(b"", b"", sha256).hexdigest()
        let empty = [UInt8]().withUnsafeBytes { OpenSSL.hmacSHA256(key: [], data: $0) }
        #expect(hex(empty) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEqualsAndRandomBytes() {
        let a: [UInt8] = [1, 2, 3]
        #expect(a.withUnsafeBytes { x in [UInt8]([1, 2, 3]).withUnsafeBytes { OpenSSL.constantTimeEquals(x, $0) } })
        #expect(!a.withUnsafeBytes { x in [UInt8]([1, 2, 4]).withUnsafeBytes { OpenSSL.constantTimeEquals(x, $0) } })
        var one = [UInt8](repeating: 0, count: 64)
        var two = [UInt8](repeating: 0, count: 64)
        #expect(one.withUnsafeMutableBytes { OpenSSL.randomBytes(into: $0) })
        #expect(two.withUnsafeMutableBytes { OpenSSL.randomBytes(into: $0) })
        #expect(one != two)
    }

    @Test func missingCAFileIsAConfigurationError() {
        #expect {
            _ = try TLSContext(configuration: TLSConfiguration(caFile: "/nonexistent/ca.pem"))
        } throws: { error in
            (error as? TLSError)?.kind == .configuration
        }
    }

    @Test func systemStoreLoads() throws {
        let context = try TLSContext()
        #expect(context.configuration.minimumVersion == .tls12)
        #expect(context.configuration.caFile == nil)
    }
}
