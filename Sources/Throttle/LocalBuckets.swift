// Per-loop buckets used while Redis is unreachable (fail-open with a local limit). Bounded: past
// `maxEntries` the oldest half is dropped, so a flood of distinct users cannot grow the node.

/// Token buckets kept in this process, one table per loop (no lock).
public struct LocalBuckets {
    /// Most buckets kept per loop.
    public let maxEntries: Int
    private var buckets: [String: TokenBucket] = [:]
    private var order: [String] = []

    public init(maxEntries: Int = 50_000) { self.maxEntries = maxEntries }

    public var count: Int { buckets.count }

    /// Takes one token from every bucket in `keys` if each has one (the Redis script's rule).
    public mutating func take(_ keys: [String], nowMicros: Int64, rate: Double, burst: Double) -> TokenBucket.Decision {
        var levels: [TokenBucket] = keys.map { buckets[$0] ?? TokenBucket(burst: burst, nowMicros: nowMicros) }
        for i in levels.indices { levels[i].refill(nowMicros: nowMicros, rate: rate, burst: burst) }
        let allowed = levels.allSatisfy { $0.tokens >= 1 }
        if allowed { for i in levels.indices { levels[i].spend() } }
        for (k, b) in zip(keys, levels) where buckets.updateValue(b, forKey: k) == nil { order.append(k) }
        if buckets.count > maxEntries { evictOldestHalf() }
        let low = levels.map(\.tokens).min() ?? burst
        return TokenBucket.decision(allowed: allowed, low: low, rate: rate, burst: burst)
    }

    private mutating func evictOldestHalf() {
        let drop = order.prefix(order.count / 2)
        for k in drop { buckets.removeValue(forKey: k) }
        order.removeFirst(drop.count)
    }
}
