// The primitives the auth code and the webhook signer share: one-shot HMAC-SHA256 and SHA-256, a
// constant-time comparison, CSPRNG bytes, and standard padded base64 (RFC 4648 §4) for the webhook
// secrets and signatures. OpenSSL itself is behind `TLS.OpenSSL` (the package's only importer of
// COpenSSL); this file keeps the gateway's array-shaped API over it.
import TLS

/// Cryptographic primitives backed by OpenSSL 3 (libcrypto).
public enum Crypto {
    /// Bytes in a SHA-256 digest (and an HMAC-SHA256 tag).
    public static let sha256ByteCount = OpenSSL.sha256ByteCount

    /// HMAC-SHA256 (RFC 2104) of `data` under `key`, with OpenSSL's one-shot `HMAC()`.
    /// - Parameters:
    ///   - key: the key bytes (any length; hashed first when longer than 64 bytes, per RFC 2104).
    ///   - data: the message.
    /// - Returns: the 32-byte tag; empty only if libcrypto fails internally (an empty tag never equals
    ///   a real one under ``constantTimeEquals(_:_:)``).
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { hmacSHA256(key: key, data: $0) }
    }

    /// HMAC-SHA256 of the bytes in `data` (no copy), for the verifier's hot path.
    static func hmacSHA256(key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8] {
        OpenSSL.hmacSHA256(key: key, data: data)
    }

    /// SHA-256 (FIPS 180-4) of `data`, with the one-shot `EVP_Digest`.
    /// - Parameter data: the message.
    /// - Returns: the 32-byte digest; empty only if libcrypto fails internally.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { OpenSSL.sha256($0) }
    }

    /// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`).
    /// - Parameters:
    ///   - a: one byte string.
    ///   - b: the other.
    /// - Returns: `true` when both have the same length and the same bytes. Lengths are not secret.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in OpenSSL.constantTimeEquals(x, y) } }
    }

    /// Cryptographically secure random bytes (`RAND_bytes`).
    /// - Parameter count: how many bytes (0 or more).
    /// - Returns: `count` random bytes, or `nil` if the generator failed (callers must not fall back
    ///   to a weaker source).
    public static func randomBytes(count: Int) -> [UInt8]? {
        guard count >= 0, count <= Int(Int32.max) else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        return out.withUnsafeMutableBytes { OpenSSL.randomBytes(into: $0) } ? out : nil
    }

    /// Standard base64 (RFC 4648 §4) with `=` padding and no line breaks (`EVP_EncodeBlock`).
    /// - Parameter bytes: the data.
    /// - Returns: the text, `[A-Za-z0-9+/]*` then 0-2 `=`; empty only for empty input or a libcrypto failure.
    public static func base64Encode(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) / 2 else { return "" }
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let written = bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in OpenSSL.encodeBase64Block(o, b) }
        }
        guard written > 0 else { return "" }
        return String(decoding: out.prefix(Int(written)), as: UTF8.self)
    }

    /// Strict standard base64 (RFC 4648 §4): padded to a multiple of 4, only the alphabet and trailing
    /// `=`, no whitespace, and canonical (the unused bits are zero), so each byte string has exactly one
    /// accepted text.
    /// - Parameter text: the encoded text.
    /// - Returns: the bytes, or `nil` for anything else (empty text decodes to no bytes).
    public static func base64Decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0, input.count <= Int(Int32.max) else { return nil }
        guard !input.isEmpty else { return [] }
        let padding = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding <= 2 else { return nil }
        for byte in input.dropLast(padding) {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                continue
            default:
                return nil
            }
        }
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let written = input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in OpenSSL.decodeBase64Block(o, i) }
        }
        // EVP_DecodeBlock counts the padding as zero bytes; drop them, then insist on the canonical form.
        guard Int(written) == out.count else { return nil }
        let bytes = Array(out.prefix(out.count - padding))
        return base64Encode(bytes) == text ? bytes : nil
    }
}
