// The only importer of COpenSSL. It offers the primitives the auth code and the webhook
// signer share: one-shot HMAC-SHA256 and SHA-256 (OpenSSL 3 EVP, no deprecated *_CTX/*_Init APIs),
// a constant-time comparison, CSPRNG bytes, and standard padded base64 (RFC 4648 §4, `EVP_EncodeBlock`
// / `EVP_DecodeBlock`) for the webhook secrets and signatures.
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

    /// Standard base64 (RFC 4648 §4) with `=` padding and no line breaks (`EVP_EncodeBlock`).
    /// - Parameter bytes: the data.
    /// - Returns: the text, `[A-Za-z0-9+/]*` then 0-2 `=`; empty only for empty input or a libcrypto failure.
    public static func base64Encode(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) / 2 else { return "" }
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let written = bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in EVP_EncodeBlock(o.baseAddress, b.baseAddress, Int32(b.count)) }
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
            out.withUnsafeMutableBufferPointer { o in EVP_DecodeBlock(o.baseAddress, i.baseAddress, Int32(i.count)) }
        }
        // EVP_DecodeBlock counts the padding as zero bytes; drop them, then insist on the canonical form.
        guard Int(written) == out.count else { return nil }
        let bytes = Array(out.prefix(out.count - padding))
        return base64Encode(bytes) == text ? bytes : nil
    }
}
