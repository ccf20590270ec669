// Where a Redis Cluster is: `redis-cluster://[[user]:password@]host:port[,host:port...][/0]`, the seed
// nodes the slot map is first learned from (any node of the cluster will do; more seeds survive one being
// down). Parsed and resolved ONCE, at startup, off any loop (hostnames go through getaddrinfo, which
// blocks), like `RedisAddress`. Cluster mode has database 0 only: a `/N` other than `/0` is refused. The
// credentials apply to every node (Redis Cluster nodes share their ACLs by configuration).

/// A parsed, resolved Redis Cluster address: seed nodes and the credentials for every node.
public struct RedisClusterAddress: Sendable, Equatable, CustomStringConvertible {
    /// The URL scheme.
    public static let scheme = "redis-cluster://"
    /// Most seed nodes one URL may list.
    public static let maxSeeds = 64

    /// Seed nodes, numeric, in the order given (duplicates removed).
    public var seeds: [RedisAddress.Endpoint]
    /// ACL user for `AUTH user password`; nil means the default user.
    public var username: String?
    /// Password for AUTH on every node; nil sends no AUTH.
    public var password: String?

    /// Creates an address from parts; the endpoints must already be numeric TCP ones.
    public init(seeds: [RedisAddress.Endpoint], username: String? = nil, password: String? = nil) {
        self.seeds = seeds
        self.username = username
        self.password = password
    }

    /// True when `url` uses the `redis-cluster://` scheme (any case); a cheap check for config loaders.
    public static func isClusterURL(_ url: String) -> Bool { url.lowercased().hasPrefix(scheme) }

    /// Parses and resolves a cluster URL. Blocks on DNS for a hostname: call at startup, never on a loop.
    /// - Parameter url: `redis-cluster://[[user]:password@]host:port[,host:port...][/0]`; each host an
    ///   IPv4 literal, `[IPv6]`, `localhost` or a hostname; a missing port means 6379.
    /// - Throws: `RedisError.invalidAddress` with a one-line message (the password is never echoed).
    public init(parsing url: String) throws(RedisError) {
        guard Self.isClusterURL(url) else { throw Self.invalid("must start with redis-cluster://") }
        var rest = Substring(url.dropFirst(Self.scheme.count))
        if rest.contains("?") || rest.contains("#") { throw Self.invalid("query strings and fragments are not supported") }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userinfo.firstIndex(of: ":") else {
                throw Self.invalid("credentials must be written as :password@ or user:password@")
            }
            let user = try RedisAddress.percentDecoded(userinfo[..<colon], what: "user name", invalid: Self.invalid)
            username = user.isEmpty ? nil : user
            password = try RedisAddress.percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password", invalid: Self.invalid)
        }
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            guard path.isEmpty || path == "0" else {
                throw Self.invalid("Redis Cluster has database 0 only; '/\(path)' is not allowed")
            }
            rest = rest[..<slash]
        }
        let items = rest.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= Self.maxSeeds else { throw Self.invalid("more than \(Self.maxSeeds) seed nodes") }
        var seeds: [RedisAddress.Endpoint] = []
        for item in items {
            guard !item.isEmpty else { throw Self.invalid(rest.isEmpty ? "no seed node" : "empty seed node in the list") }
            let endpoint = try RedisAddress.parseEndpoint(item, invalid: Self.invalid)
            if !seeds.contains(endpoint) { seeds.append(endpoint) }
        }
        self.init(seeds: seeds, username: username, password: password)
    }

    /// The address of one node of this cluster (these credentials, database 0).
    /// - Parameters:
    ///   - host: a numeric IP.
    ///   - port: the node's client port.
    public func node(host: String, port: UInt16) -> RedisAddress {
        RedisAddress(endpoint: .tcp(host: host, port: port), username: username, password: password, database: 0)
    }

    /// The URL form, with any password replaced by `***`.
    public var description: String {
        let auth = password == nil ? "" : "\(username ?? ""):***@"
        let list = seeds.map { endpoint -> String in
            switch endpoint {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): return path
            }
        }
        return Self.scheme + auth + list.joined(separator: ",")
    }

    static func invalid(_ reason: String) -> RedisError {
        .invalidAddress("invalid Redis Cluster URL (expected redis-cluster://[:password@]host:port[,host:port...]): \(reason)")
    }
}
