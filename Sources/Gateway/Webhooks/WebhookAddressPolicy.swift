// Which targets a subscription may point at (contract §5): without `--webhook-allow-private`, only
// public unicast addresses. Used twice: at creation for IP-literal hosts and `localhost` names (a 422),
// and by the delivery client after resolving a name (a recorded failure, never a request). Refused:
// IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.168/16, 198.18/15,
// 224/4 and up; IPv6 ::, ::1, fc00::/7, fe80::/10, ff00::/8, and IPv4-mapped forms of refused v4.
import Glibc

/// The private-target policy: pure address classification, no resolution.
public enum WebhookAddressPolicy {
    /// The 4 or 16 bytes of an IP literal (IPv6 without brackets), or `nil` when `host` is not one.
    public static func literalAddress(_ host: String) -> [UInt8]? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if v4.withUnsafeMutableBytes({ inet_pton(AF_INET, host, $0.baseAddress) }) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        if v6.withUnsafeMutableBytes({ inet_pton(AF_INET6, host, $0.baseAddress) }) == 1 { return v6 }
        return nil
    }

    /// Whether a 4- or 16-byte address is public unicast (any other length is not).
    public static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: return isPublicV4(address[0], address[1], address[2])
        case 16: return isPublicV6(address)
        default: return false
        }
    }

    /// Whether a host name is a loopback name by RFC 6761 (`localhost`, `*.localhost`).
    public static func isLoopbackName(_ host: String) -> Bool {
        let h = host.lowercased()
        let bare = h.hasSuffix(".") ? String(h.dropLast()) : h
        return bare == "localhost" || bare.hasSuffix(".localhost")
    }

    private static func isPublicV4(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (a, b) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false
        case (169, 254): return false
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where c == 0: return false
        case (198, 18...19): return false
        case (224..., _): return false
        default: return true
        }
    }

    private static func isPublicV6(_ b: [UInt8]) -> Bool {
        if b.prefix(10).allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return isPublicV4(b[12], b[13], b[14])  // ::ffff:a.b.c.d
        }
        if b.prefix(15).allSatisfy({ $0 == 0 }) && b[15] <= 1 { return false }  // :: and ::1
        if b[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if b[0] == 0xFF { return false }  // multicast
        return true
    }
}
