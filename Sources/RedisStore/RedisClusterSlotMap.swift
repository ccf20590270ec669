// The slot → primary map of a Redis Cluster, as CLUSTER SLOTS reports it (Redis 3+; the format is the
// same in 7). Pure value: parsing, lookup, and the one-slot update a MOVED redirect teaches; no I/O.
// Nodes are numeric `host:port` pairs: a node reported with an empty or `?` host is the node that was
// asked (CLUSTER SLOTS's "unknown endpoint"), and a non-numeric host (cluster-preferred-endpoint-type
// hostname) is refused, because the loops never resolve names.
import Glibc

/// One cluster node as a client reaches it.
public struct RedisClusterNode: Sendable, Hashable, CustomStringConvertible {
    /// Numeric IP.
    public var host: String
    /// Client port.
    public var port: UInt16

    /// Creates a node.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `host:port` (`[v6]:port` for IPv6).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses the `host:port` of a MOVED/ASK redirect (`:port` alone means `fallbackHost`); nil when
    /// malformed or not numeric.
    static func parseRedirect(_ text: Substring, fallbackHost: String) -> RedisClusterNode? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0 else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty || host == "?" { host = fallbackHost }
        guard RedisAddress.isNumeric(host, family: AF_INET) || RedisAddress.isNumeric(host, family: AF_INET6) else { return nil }
        return RedisClusterNode(host: host, port: port)
    }
}

/// Which primary serves each of the 16,384 hash slots.
public struct RedisClusterSlotMap: Sendable, Equatable {
    /// The primaries, in order of first appearance.
    public private(set) var nodes: [RedisClusterNode] = []
    /// Per slot, an index into `nodes`, or -1 when no node serves it.
    private var owners = [Int16](repeating: -1, count: HashSlot.count)

    /// An empty map (no slot served).
    public init() {}

    /// The primary serving `slot`, or nil.
    public func owner(of slot: Int) -> RedisClusterNode? {
        guard slot >= 0, slot < HashSlot.count else { return nil }
        let i = owners[slot]
        return i < 0 ? nil : nodes[Int(i)]
    }

    /// How many slots have an owner (16,384 when the cluster is fully covered).
    public var coveredSlots: Int { owners.reduce(0) { $0 + ($1 < 0 ? 0 : 1) } }

    /// Records that `node` now serves `slot` (what a MOVED redirect says).
    public mutating func assign(_ slot: Int, to node: RedisClusterNode) {
        guard slot >= 0, slot < HashSlot.count else { return }
        owners[slot] = index(of: node)
        let used = Set(owners.filter { $0 >= 0 })
        if used.count < nodes.count { compact() }
    }

    /// Parses a CLUSTER SLOTS reply: `[[start, end, [host, port, id, ...], replicas...], ...]`.
    /// - Parameters:
    ///   - reply: the reply.
    ///   - askedHost: the host of the node that answered (stands in for an empty or `?` host).
    /// - Returns: the map, or nil when the reply is not a well-formed CLUSTER SLOTS answer.
    public static func parse(clusterSlots reply: RedisReply, askedHost: String) -> RedisClusterSlotMap? {
        guard let ranges = reply.array else { return nil }
        var map = RedisClusterSlotMap()
        for range in ranges {
            guard let fields = range.array, fields.count >= 3,
                  let start = fields[0].integer, let end = fields[1].integer,
                  start >= 0, start <= end, end < Int64(HashSlot.count),
                  let primary = fields[2].array, primary.count >= 2,
                  let hostText = primary[0].string, let port = primary[1].integer, port > 0, port <= 65535
            else { return nil }
            let host = hostText.isEmpty || hostText == "?" ? askedHost : hostText
            guard RedisAddress.isNumeric(host, family: AF_INET) || RedisAddress.isNumeric(host, family: AF_INET6) else { return nil }
            let i = map.index(of: RedisClusterNode(host: host, port: UInt16(port)))
            for slot in Int(start)...Int(end) { map.owners[slot] = i }
        }
        return map
    }

    private mutating func index(of node: RedisClusterNode) -> Int16 {
        if let i = nodes.firstIndex(of: node) { return Int16(i) }
        nodes.append(node)
        return Int16(nodes.count - 1)
    }

    /// Drops nodes that serve no slot any more (after MOVED updates), renumbering the owners.
    private mutating func compact() {
        var kept: [RedisClusterNode] = []
        var renumber = [Int16](repeating: -1, count: nodes.count)
        for slot in 0..<HashSlot.count where owners[slot] >= 0 {
            let old = Int(owners[slot])
            if renumber[old] < 0 {
                renumber[old] = Int16(kept.count)
                kept.append(nodes[old])
            }
            owners[slot] = renumber[old]
        }
        nodes = kept
    }
}
