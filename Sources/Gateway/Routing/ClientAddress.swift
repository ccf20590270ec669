// The client's address behind load balancers: X-Forwarded-For is believed only when the TCP peer is a
// configured trusted proxy; then the rightmost address that is not itself a trusted proxy is the
// client (RFC 7239 §5.2 reasoning: entries left of an untrusted hop can be forged).
import Glibc

/// An IPv4 or IPv6 network, e.g. `10.0.0.0/8`, `::1/128`, or a single address.
public struct CIDR: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    /// Parses `ADDR` or `ADDR/PREFIX`; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let addr = CIDR.parseAddress(parts[0]) else { return nil }
        let max = addr.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...max).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = max
        }
        bytes = addr
    }

    /// True when `address` (numeric text) is inside this network.
    public func contains(_ address: String) -> Bool {
        guard let a = CIDR.parseAddress(address), a.count == bytes.count else { return false }
        var bits = prefix
        for i in 0..<a.count where bits > 0 {
            let take = min(8, bits)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if a[i] & mask != bytes[i] & mask { return false }
            bits -= take
        }
        return true
    }

    static func parseAddress(_ s: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, s, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Works out the client address of a request.
public enum ClientAddress {
    /// The client: the peer, or (peer trusted) the rightmost untrusted X-Forwarded-For entry.
    public static func of(peer: String, forwardedFor: [String], trusted: [CIDR]) -> String {
        guard !trusted.isEmpty, trusted.contains(where: { $0.contains(peer) }) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces }
        for hop in hops.reversed() {
            guard CIDR.parseAddress(hop) != nil else { return peer }  // garbage: do not trust the chain
            if !trusted.contains(where: { $0.contains(hop) }) { return hop }
        }
        return hops.first ?? peer
    }
}
