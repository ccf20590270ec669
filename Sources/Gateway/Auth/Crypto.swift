// The primitives the auth code and the webhook signer share: one-shot HMAC-SHA256 and SHA-256, a
// constant-time comparison, and CSPRNG bytes. OpenSSL itself is behind `TLS.OpenSSL` (the package's
// only importer of COpenSSL); this file keeps the gateway's array-shaped API over it.
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
}
