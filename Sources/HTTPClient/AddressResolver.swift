// Name resolution off the loop: IP literals are parsed at once; host names go to getaddrinfo on a
// background DispatchQueue and the result comes back on the caller's loop through `execute`.
// The loop thread never blocks on DNS.
import Dispatch
import Glibc
import Reactor

/// One resolved address: its bytes (4 or 16) for the address filter, its text for `Socket.connect`.
struct ResolvedAddress: Sendable, Equatable {
    let bytes: [UInt8]
    let text: String
}

/// Turns host names into addresses without blocking a loop.
enum AddressResolver {
    /// The address itself when `host` is an IPv4 or IPv6 literal; nil for a host name.
    static func literal(_ host: String) -> ResolvedAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return ResolvedAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }, text: host)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return ResolvedAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }, text: host)
        }
        return nil
    }

    /// Resolves `host` and calls `done` on `loop` (at once, on the loop, for an IP literal).
    /// - Parameters:
    ///   - host: a host name or IP literal.
    ///   - loop: where `done` runs; call from that loop's thread.
    ///   - done: the addresses in getaddrinfo's order, or a ``ClientError/Kind/dns`` error.
    static func resolve(_ host: String, on loop: EventLoop,
                        _ done: @escaping (Result<[ResolvedAddress], ClientError>) -> Void) {
        if let address = literal(host) {
            done(.success([address]))
            return
        }
        let callback = LoopBound(done, loop: loop)
        DispatchQueue.global().async {
            let result = lookUp(host)
            callback.execute { done in done(result) }
        }
    }

    /// Blocking getaddrinfo (background threads only).
    private static func lookUp(_ host: String) -> Result<[ResolvedAddress], ClientError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            return .failure(ClientError(.dns, "\(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var found: [ResolvedAddress] = []
        var node = list
        while let info = node {
            if let address = convert(info.pointee), !found.contains(address) { found.append(address) }
            node = info.pointee.ai_next
        }
        guard !found.isEmpty else { return .failure(ClientError(.dns, "\(host): no addresses")) }
        return .success(found)
    }

    private static func convert(_ info: addrinfo) -> ResolvedAddress? {
        guard let sa = info.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let bytes: [UInt8]
        if info.ai_family == AF_INET {
            var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            bytes = withUnsafeBytes(of: &a) { Array($0) }
            guard inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        } else if info.ai_family == AF_INET6 {
            var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            bytes = withUnsafeBytes(of: &a) { Array($0) }
            guard inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        } else {
            return nil
        }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ResolvedAddress(bytes: bytes, text: text)
    }
}
