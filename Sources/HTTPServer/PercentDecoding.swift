// Percent-decoding of path segments and query values (RFC 3986 §2.1): `sess%3A42` is `sess:42`.
// Malformed escapes and bytes that do not form UTF-8 decode to nil (the caller answers 404/400).

/// Percent-decoding (RFC 3986 §2.1) for path parameters and query values.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`, for query values).
    public static func decode(_ s: Substring, plusIsSpace: Bool = false) -> String? {
        guard s.utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && s.utf8.contains(UInt8(ascii: "+"))) else { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "%"):
                guard let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) else { return nil }
                out.append(hv << 4 | lv)
            case UInt8(ascii: "+") where plusIsSpace:
                out.append(UInt8(ascii: " "))
            default:
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
