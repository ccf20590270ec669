// The only importer of COpenSSL. It offers the primitives the auth code and the webhook
// signer share: one-shot HMAC-SHA256 and SHA-256 (OpenSSL 3 EVP, no deprecated *_CTX/*_Init APIs),
// a constant-time comparison, and CSPRNG bytes.
internal import COpenSSL

/// Cryptographic primitives backed by OpenSSL 3 (libcrypto).
public enum Crypto {
    /// Bytes in a SHA-256 digest (and an HMAC-SHA256 tag).
    public static let sha256ByteCount = 32

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
        guard key.count <= Int(Int32.max) else { return [] }
        // OpenSSL wants non-NULL pointers even for empty inputs; an empty Swift buffer may have none.
        let one: [UInt8] = [0]
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok: Bool = one.withUnsafeBytes { fallback in
            key.withUnsafeBytes { k in
                out.withUnsafeMutableBufferPointer { o in
                    let keyPointer = k.baseAddress ?? fallback.baseAddress
                    let dataPointer = data.baseAddress ?? fallback.baseAddress
                    guard let dp = dataPointer?.assumingMemoryBound(to: UInt8.self) else { return false }
                    return HMAC(EVP_sha256(), keyPointer, Int32(k.count), dp, data.count,
                                o.baseAddress, &outLength) != nil
                }
            }
        }
        guard ok, Int(outLength) == sha256ByteCount else { return [] }
        return Array(out.prefix(sha256ByteCount))
    }

    /// SHA-256 (FIPS 180-4) of `data`, with the one-shot `EVP_Digest`.
    /// - Parameter data: the message.
    /// - Returns: the 32-byte digest; empty only if libcrypto fails internally.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        let one: [UInt8] = [0]
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok: Bool = one.withUnsafeBytes { fallback in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Digest(d.baseAddress ?? fallback.baseAddress, d.count, o.baseAddress, &outLength,
                               EVP_sha256(), nil) == 1
                }
            }
        }
        guard ok, Int(outLength) == sha256ByteCount else { return [] }
        return Array(out.prefix(sha256ByteCount))
    }

    /// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`).
    /// - Parameters:
    ///   - a: one byte string.
    ///   - b: the other.
    /// - Returns: `true` when both have the same length and the same bytes. Lengths are not secret.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0
            }
        }
    }

    /// Cryptographically secure random bytes (`RAND_bytes`).
    /// - Parameter count: how many bytes (0 or more).
    /// - Returns: `count` random bytes, or `nil` if the generator failed (callers must not fall back
    ///   to a weaker source).
    public static func randomBytes(count: Int) -> [UInt8]? {
        guard count >= 0, count <= Int(Int32.max) else { return nil }
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        return rc == 1 ? out : nil
    }
}
