// base64url (RFC 4648 §5) without padding, as JWS uses it (RFC 7515 §2, appendix C).
// Decoding is strict: only [A-Za-z0-9_-], no `=`, no whitespace, no length ≡ 1 (mod 4), and the unused
// low bits of the last character must be zero (RFC 4648 §3.5), so every byte string has exactly one
// accepted encoding.

/// Strict, unpadded base64url.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Maps an ASCII byte to its 6-bit value; 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes` as unpadded base64url.
    /// - Parameter bytes: the data.
    /// - Returns: the text, `[A-Za-z0-9_-]*`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: encodeBytes(bytes), as: UTF8.self)
    }

    /// Encodes `bytes` as unpadded base64url ASCII bytes.
    static func encodeBytes<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 0x3F)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(6 - bits)) & 0x3F)])
        }
        return out
    }

    /// Decodes unpadded base64url text.
    /// - Parameter text: the encoded text.
    /// - Returns: the bytes, or `nil` for any character outside the alphabet, padding, an impossible
    ///   length, or non-zero unused bits.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes unpadded base64url from raw ASCII bytes (no copy of the input).
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        if input.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in input {
            let value = values[Int(byte)]
            if value == 0xFF { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // 2 or 4 leftover bits must be zero: otherwise another text decodes to the same bytes.
        if buffer != 0 { return nil }
        return out
    }
}
