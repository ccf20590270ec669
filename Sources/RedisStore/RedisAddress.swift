// Where Redis is: `redis://[[user]:password@]host[:port][/db]` or `unix:///path[?db=N&password=P]`.
// Parsed and resolved ONCE, at startup (config validation), off any loop: a hostname other than an IP
// literal or `localhost` is resolved here with getaddrinfo, which blocks. The loops only ever connect to
// numeric addresses, so hiredis never resolves anything on a loop thread.
import Glibc

/// A parsed, resolved Redis address.
public struct RedisAddress: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Equatable {
        /// TCP to a numeric IPv4 or IPv6 address.
        case tcp(host: String, port: UInt16)
        /// A Unix domain socket.
        case unix(path: String)
    }

    /// The default Redis TCP port, used when a `redis://` URL names none.
    public static let defaultPort: UInt16 = 6379

    /// Numeric endpoint.
    public var endpoint: Endpoint
    /// ACL user for `AUTH user password`; nil means the default user (`AUTH password`).
    public var username: String?
    /// Password for AUTH; nil sends no AUTH.
    public var password: String?
    /// Database selected after connecting (SELECT is sent only when it is not 0).
    public var database: Int

    /// Creates an address from parts; `endpoint` must already be numeric (no resolution happens).
    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses and resolves a Redis URL. Blocks on DNS for a hostname: call at startup, never on a loop.
    /// - Parameter url: `redis://[[user]:password@]host[:port][/db]` (host: IPv4 literal, `[IPv6]`,
    ///   `localhost` or a hostname) or `unix:///absolute/path[?db=N&password=P]`.
    /// - Throws: `RedisError.invalidAddress` with a one-line message naming the problem (the password is
    ///   never echoed).
    public init(parsing url: String) throws(RedisError) {
        let lower = url.lowercased()
        if lower.hasPrefix("redis://") {
            self = try Self.parseTCP(String(url.dropFirst("redis://".count)))
        } else if lower.hasPrefix("unix://") {
            self = try Self.parseUnix(String(url.dropFirst("unix://".count)))
        } else if lower.hasPrefix("redis-cluster://") {
            throw Self.invalid("redis-cluster:// is a Redis Cluster address (RedisClusterAddress), not a single server's")
        } else {
            throw Self.invalid("must start with redis:// or unix://")
        }
    }

    /// The URL form, with any password replaced by `***`.
    public var description: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        switch endpoint {
        case .tcp(let host, let port):
            let h = host.contains(":") ? "[\(host)]" : host
            return "redis://\(auth)\(h):\(port)/\(database)"
        case .unix(let path):
            let q = password == nil ? "" : "&password=***"
            return "unix://\(path)?db=\(database)\(q)"
        }
    }

    // MARK: parsing

    static func invalid(_ reason: String) -> RedisError {
        .invalidAddress("invalid Redis URL (expected redis://[:password@]host:port[/db] or unix:///path[?db=N]): \(reason)")
    }

    private static func parseTCP(_ rest: String) throws(RedisError) -> RedisAddress {
        var authority = Substring(rest)
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if path.contains("?") || path.contains("#") || authority.contains("?") || authority.contains("#") {
            throw invalid("query strings and fragments are not supported in redis:// URLs")
        }
        var username: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            guard let colon = userinfo.firstIndex(of: ":") else {
                throw invalid("credentials must be written as :password@ or user:password@")
            }
            let user = try percentDecoded(userinfo[..<colon], what: "user name", invalid: invalid)
            username = user.isEmpty ? nil : user
            password = try percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password", invalid: invalid)
        }
        let endpoint = try parseEndpoint(authority, invalid: invalid)
        let database = try parseDatabase(path, what: "database path '/\(path)'")
        return RedisAddress(endpoint: endpoint, username: username, password: password, database: database)
    }

    /// Parses `host[:port]` (host: IPv4 literal, `[IPv6]`, `localhost` or a hostname, resolved here:
    /// blocking) into a numeric TCP endpoint. Shared with `RedisClusterAddress`, whose messages differ.
    static func parseEndpoint(_ authority: Substring, invalid: (String) -> RedisError) throws(RedisError) -> Endpoint {
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("missing ']' after IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
                portPart = after.dropFirst()
            }
            guard isNumeric(String(hostPart), family: AF_INET6) else { throw invalid("'\(hostPart)' is not an IPv6 address") }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
        }
        guard !hostPart.isEmpty else { throw invalid("missing host") }
        var port = defaultPort
        if let p = portPart {
            guard let n = UInt16(p), n > 0 else { throw invalid("port '\(p)' is not a number from 1 to 65535") }
            port = n
        }
        return .tcp(host: try resolve(String(hostPart), invalid: invalid), port: port)
    }

    private static func parseUnix(_ rest: String) throws(RedisError) -> RedisAddress {
        var pathPart = Substring(rest)
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            pathPart = rest[..<q]
            query = rest[rest.index(after: q)...]
        }
        guard pathPart.hasPrefix("/"), pathPart.count > 1 else {
            throw invalid("unix:// needs an absolute socket path, as in unix:///run/redis.sock")
        }
        guard pathPart.utf8.count < 108 else { throw invalid("socket path is longer than 107 bytes") }
        var database = 0
        var password: String?
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let eq = item.firstIndex(of: "=") else { throw invalid("query item '\(item)' has no '='") }
            let key = item[..<eq]
            let value = item[item.index(after: eq)...]
            switch key {
            case "db": database = try parseDatabase(value, what: "db '\(value)'")
            case "password": password = try percentDecoded(value, what: "password", invalid: invalid)
            default: throw invalid("unknown query key '\(key)' (known: db, password)")
            }
        }
        let path = try percentDecoded(pathPart, what: "socket path", invalid: invalid)
        return RedisAddress(endpoint: .unix(path: path), password: password, database: database)
    }

    private static func parseDatabase(_ text: Substring, what: String) throws(RedisError) -> Int {
        if text.isEmpty { return 0 }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text), n <= Int(Int32.max) else {
            throw invalid("\(what) is not a database number (0 or more)")
        }
        return n
    }

    static func percentDecoded(_ text: Substring, what: String, invalid: (String) -> RedisError) throws(RedisError) -> String {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        while let b = bytes.next() {
            if b == UInt8(ascii: "%") {
                guard let h = bytes.next().flatMap(hexValue), let l = bytes.next().flatMap(hexValue) else {
                    throw invalid("bad percent-escape in the \(what)")
                }
                out.append(h << 4 | l)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    // MARK: resolution (blocking; startup only)

    static func isNumeric(_ host: String, family: Int32) -> Bool {
        var buf = in6_addr()
        return inet_pton(family, host, &buf) == 1
    }

    /// Returns a numeric address for `host`: IP literals as they are, `localhost` as 127.0.0.1, any other
    /// name through getaddrinfo (blocking), preferring IPv4.
    static func resolve(_ host: String, invalid: (String) -> RedisError = invalid) throws(RedisError) -> String {
        if isNumeric(host, family: AF_INET) || isNumeric(host, family: AF_INET6) { return host }
        if host.lowercased() == "localhost" { return "127.0.0.1" }
        let allowed = host.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95
        }
        guard allowed, host.utf8.count <= 253 else { throw invalid("'\(host)' is not a valid host name") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            throw invalid("cannot resolve host '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var v4: [String] = []
        var v6: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let sa = ai.pointee.ai_addr,
               getnameinfo(sa, ai.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let s = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if ai.pointee.ai_family == AF_INET { v4.append(s) } else { v6.append(s) }
            }
            cursor = ai.pointee.ai_next
        }
        guard let best = v4.first ?? v6.first else { throw invalid("host '\(host)' has no usable address") }
        return best
    }
}
