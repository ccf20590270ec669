// Token-bucket math, pure: no clock of its own, no I/O. The Redis script carries the same formula
// (Redis's own TIME as `now`), and the local fail-open buckets use this type directly, so unit tests on
// a fake clock cover both. Refill: tokens = min(burst, tokens + elapsed × rate); a request takes one.

/// One bucket's state.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens now (fractional while refilling).
    public private(set) var tokens: Double
    /// When `tokens` was last computed, microseconds on the caller's clock.
    public private(set) var updatedMicros: Int64

    /// A full bucket at `nowMicros`.
    public init(burst: Double, nowMicros: Int64) {
        tokens = burst
        updatedMicros = nowMicros
    }

    /// The outcome of one take.
    public struct Decision: Sendable, Equatable {
        /// Whether a token was available (and taken).
        public var allowed: Bool
        /// Whole tokens left after this take.
        public var remaining: Int
        /// Seconds until one token is available again (0 when allowed).
        public var retryAfterSeconds: Int
        /// Seconds until the bucket is full again.
        public var fullInSeconds: Int
    }

    /// Adds the tokens earned since the last update (never above `burst`; a clock going back adds nothing).
    public mutating func refill(nowMicros: Int64, rate: Double, burst: Double) {
        let elapsed = max(0, nowMicros - updatedMicros)
        tokens = min(burst, tokens + Double(elapsed) / 1_000_000 * rate)
        updatedMicros = max(updatedMicros, nowMicros)
    }

    /// Removes one token (call only when `tokens >= 1`).
    public mutating func spend() { tokens -= 1 }

    /// The decision for buckets whose lowest level is `low` after the take.
    public static func decision(allowed: Bool, low: Double, rate: Double, burst: Double) -> Decision {
        Decision(allowed: allowed, remaining: seconds(low.rounded(.down)),
                 retryAfterSeconds: allowed ? 0 : max(1, seconds(((1 - low) / rate).rounded(.up))),
                 fullInSeconds: seconds(((burst - low) / rate).rounded(.up)))
    }

    /// A whole number from any Double: NaN and negatives → 0, huge values capped (never traps).
    public static func seconds(_ v: Double) -> Int {
        guard v.isFinite, v > 0 else { return 0 }
        return v >= 1e12 ? 1_000_000_000_000 : Int(v)
    }

    /// Refills to `nowMicros` and takes one token if there is one.
    /// - Parameters:
    ///   - nowMicros: the clock (never goes back: a smaller value is treated as no time passing).
    ///   - rate: tokens per second (> 0).
    ///   - burst: bucket size (>= 1).
    public mutating func take(nowMicros: Int64, rate: Double, burst: Double) -> Decision {
        refill(nowMicros: nowMicros, rate: rate, burst: burst)
        let allowed = tokens >= 1
        if allowed { spend() }
        return Self.decision(allowed: allowed, low: tokens, rate: rate, burst: burst)
    }
}
