// A bounded cache of recently verified tokens, so a client polling with the same token skips base64,
// JSON and HMAC work on every request.
// Safety: the key is the token's exact bytes; a lookup hits only for a byte-identical token, and key
// equality uses a constant-time compare (after a length check) so probing cannot time a prefix match.
// An entry is used only while `now` is inside the window the full check accepted ([nbf/iat - leeway,
// exp + leeway)); outside it the caller verifies in full, which then fails with the real reason. The
// key set of a verifier never changes, so a cached token can never outlive its key.
// Shape: shared by all loop threads of a node, split into `shardCount` shards each behind its own Mutex
// (chosen by a signature character, so the two loops rarely meet). Each shard keeps two generations:
// when the current one is full it becomes the previous one and the old previous one is dropped; a hit
// in the previous generation moves the entry forward. Memory stays under `capacity` entries in all.
import Synchronization

/// Recently verified tokens and their claims, bounded in size.
final class VerifiedTokenCache: Sendable {
    /// Shards (one Mutex each).
    static let shardCount = 8

    /// A token's exact bytes; equality is constant-time for equal lengths.
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        static func == (a: Key, b: Key) -> Bool { Crypto.constantTimeEquals(a.bytes, b.bytes) }
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// Claims plus the time window (Unix seconds) in which the full check accepts the token.
    struct Entry: Sendable {
        let claims: Claims
        /// First second the token is accepted (may be -infinity).
        let validFrom: Double
        /// The token is accepted while `now < validUntil`.
        let validUntil: Double
    }

    private struct Generations: Sendable {
        var current: [Key: Entry] = [:]
        var previous: [Key: Entry] = [:]
    }

    private final class Shard: Sendable {
        let state = Mutex(Generations())
    }

    private let shards: [Shard]
    private let perGeneration: Int

    /// A cache holding at most about `capacity` tokens (at least one per shard generation).
    init(capacity: Int) {
        shards = (0..<Self.shardCount).map { _ in Shard() }
        perGeneration = max(1, capacity / (2 * Self.shardCount))
    }

    private func shard(for key: Key) -> Shard {
        // The second-to-last character is a full 6-bit signature character in a well-formed HS256 token.
        let count = key.bytes.count
        let byte = count >= 2 ? key.bytes[count - 2] : 0
        return shards[Int(byte) % Self.shardCount]
    }

    /// The claims cached for exactly `key`, if `now` is inside their accepted window.
    func lookup(_ key: Key, now: Int64) -> Claims? {
        let seconds = Double(now)
        return shard(for: key).state.withLock { g -> Claims? in
            if let entry = g.current[key] {
                return entry.validFrom <= seconds && seconds < entry.validUntil ? entry.claims : nil
            }
            guard let entry = g.previous.removeValue(forKey: key) else { return nil }
            guard entry.validFrom <= seconds && seconds < entry.validUntil else { return nil }
            Self.insert(entry, key, into: &g, perGeneration: perGeneration)
            return entry.claims
        }
    }

    /// Remembers that `key` verified to `entry`.
    func store(_ key: Key, _ entry: Entry) {
        shard(for: key).state.withLock { g in
            Self.insert(entry, key, into: &g, perGeneration: perGeneration)
        }
    }

    private static func insert(_ entry: Entry, _ key: Key, into g: inout Generations, perGeneration: Int) {
        if g.current[key] == nil, g.current.count >= perGeneration {
            g.previous = g.current
            g.current = [:]
        }
        g.current[key] = entry
    }

    /// Entries held now (for tests).
    var count: Int {
        shards.reduce(0) { sum, shard in sum + shard.state.withLock { $0.current.count + $0.previous.count } }
    }
}
