// TokenBucket on a fake clock (microseconds we choose): burst then refill exactly, never above burst,
// a clock going back adds nothing, and the retry-after / full-in values of each decision.
import Testing
@testable import Throttle

@Suite struct TokenBucketTests {
    /// Microseconds from seconds (exact for the values used here).
    static func us(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }

    @Test func aNewBucketIsFullAndGivesExactlyBurstBackToBack() {
        var b = TokenBucket(burst: 5, nowMicros: 0)
        #expect(b.tokens == 5 && b.updatedMicros == 0)
        var remaining: [Int] = []
        for _ in 0..<5 {
            let d = b.take(nowMicros: 0, rate: 2, burst: 5)
            #expect(d.allowed && d.retryAfterSeconds == 0)
            remaining.append(d.remaining)
        }
        #expect(remaining == [4, 3, 2, 1, 0])
        let refused = b.take(nowMicros: 0, rate: 2, burst: 5)
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        #expect(b.tokens == 0, "a refusal takes nothing")
    }

    @Test func refillIsExactlyRateTimesElapsed() {
        // rate 2/s: one token every 500 ms, not a microsecond earlier.
        var b = TokenBucket(burst: 3, nowMicros: 0)
        for _ in 0..<3 { _ = b.take(nowMicros: 0, rate: 2, burst: 3) }
        #expect(!b.take(nowMicros: 499_999, rate: 2, burst: 3).allowed)
        let d = b.take(nowMicros: 500_000, rate: 2, burst: 3)
        #expect(d.allowed && d.remaining == 0)
        #expect(!b.take(nowMicros: 500_000, rate: 2, burst: 3).allowed)
        // Fractional rate: 0.25/s is one token per 4 s.
        var slow = TokenBucket(burst: 1, nowMicros: 0)
        #expect(slow.take(nowMicros: 0, rate: 0.25, burst: 1).allowed)
        #expect(!slow.take(nowMicros: 3_999_999, rate: 0.25, burst: 1).allowed)
        #expect(slow.take(nowMicros: 4_000_000, rate: 0.25, burst: 1).allowed)
    }

    /// Firing every 62.5 ms (exact in binary) for 3 s at rate 4, burst 10: exactly 10 + 4 × 3 passes.
    @Test func burstThenRefillCountsExactly() {
        let rate = 4.0, burst = 10.0
        var b = TokenBucket(burst: burst, nowMicros: 0)
        var passes = 0
        var t: Int64 = 0
        while t <= 3_000_000 {
            if b.take(nowMicros: t, rate: rate, burst: burst).allowed { passes += 1 }
            t += 62_500
        }
        #expect(passes == 10 + 12)
    }

    /// Any dense firing pattern (gaps below 1/(2·rate), burst >= 2, so the cap never wastes a token)
    /// over t seconds passes b + r·t within one,
    /// and never more than b + r·t.
    @Test(arguments: [(5.0, 10.0, UInt64(1)), (0.5, 3.0, UInt64(2)), (37.0, 100.0, UInt64(3)), (1000.0, 2.0, UInt64(4))])
    func denseRandomFiringPassesBurstPlusRateTimesTime(rate: Double, burst: Double, seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var b = TokenBucket(burst: burst, nowMicros: 1_000_000_000)
        let start: Int64 = 1_000_000_000
        var t = start
        var passes = 0
        let maxGap = max(1, Int64(1_000_000 / rate / 2))
        while t - start < 3_000_000 {
            if b.take(nowMicros: t, rate: rate, burst: burst).allowed { passes += 1 }
            t += 1 + Int64(rng.next() % UInt64(maxGap))
        }
        // The bucket's clock is the time of the last take.
        let elapsed = Double(b.updatedMicros - start) / 1_000_000
        let ideal = burst + rate * elapsed
        #expect(Double(passes) <= ideal + 1e-9, "passes \(passes), ideal \(ideal)")
        #expect(Double(passes) > ideal - 1, "passes \(passes), ideal \(ideal)")
    }

    @Test func neverAboveBurst() {
        var b = TokenBucket(burst: 4, nowMicros: 0)
        _ = b.take(nowMicros: 0, rate: 10, burst: 4)
        b.refill(nowMicros: 3_600_000_000, rate: 10, burst: 4)  // an hour later
        #expect(b.tokens == 4)
        let d = b.take(nowMicros: 3_600_000_000, rate: 10, burst: 4)
        #expect(d.allowed && d.remaining == 3)
        // A long idle bucket still gives exactly burst back to back, not more.
        var passes = 0
        for _ in 0..<10 where b.take(nowMicros: 7_200_000_000, rate: 10, burst: 4).allowed { passes += 1 }
        #expect(passes == 4)
    }

    @Test func aClockGoingBackAddsNothingAndKeepsTheLatestTime() {
        var b = TokenBucket(burst: 2, nowMicros: 10_000_000)
        _ = b.take(nowMicros: 10_000_000, rate: 1, burst: 2)
        _ = b.take(nowMicros: 10_000_000, rate: 1, burst: 2)
        #expect(b.tokens == 0)
        // 5 s back: nothing added, and the anchor stays at 10 s.
        #expect(!b.take(nowMicros: 5_000_000, rate: 1, burst: 2).allowed)
        #expect(b.tokens == 0 && b.updatedMicros == 10_000_000)
        // Back at 10.999999 s: still less than one second after the anchor.
        #expect(!b.take(nowMicros: 10_999_999, rate: 1, burst: 2).allowed)
        // 11 s: exactly one token (measured from 10 s, not from 5 s).
        let d = b.take(nowMicros: 11_000_000, rate: 1, burst: 2)
        #expect(d.allowed && d.remaining == 0)
        #expect(!b.take(nowMicros: 11_000_000, rate: 1, burst: 2).allowed)
    }

    @Test func retryAfterAndFullInValues() {
        // rate 2, burst 5, empty: one token in 0.5 s → Retry-After 1 (whole seconds, at least 1); full in 2.5 s → 3.
        var b = TokenBucket(burst: 5, nowMicros: 0)
        for _ in 0..<5 { _ = b.take(nowMicros: 0, rate: 2, burst: 5) }
        let r = b.take(nowMicros: 0, rate: 2, burst: 5)
        #expect(r == TokenBucket.Decision(allowed: false, remaining: 0, retryAfterSeconds: 1, fullInSeconds: 3))
        // rate 0.25: one token takes 4 s; full (burst 3) takes 12 s.
        var slow = TokenBucket(burst: 3, nowMicros: 0)
        for _ in 0..<3 { _ = slow.take(nowMicros: 0, rate: 0.25, burst: 3) }
        #expect(slow.take(nowMicros: 0, rate: 0.25, burst: 3) == TokenBucket.Decision(allowed: false, remaining: 0, retryAfterSeconds: 4, fullInSeconds: 12))
        // 1 s later: 0.25 tokens → 3 s to the next one (0.75 / 0.25), full in 11 s.
        #expect(slow.take(nowMicros: 1_000_000, rate: 0.25, burst: 3) == TokenBucket.Decision(allowed: false, remaining: 0, retryAfterSeconds: 3, fullInSeconds: 11))
        // 2.5 s later: 0.625 → 0.375/0.25 = 1.5 → 2 s.
        #expect(slow.take(nowMicros: 2_500_000, rate: 0.25, burst: 3).retryAfterSeconds == 2)
        // An allowed take: Retry-After 0; full-in counts what is missing after the take.
        var c = TokenBucket(burst: 10, nowMicros: 0)
        #expect(c.take(nowMicros: 0, rate: 5, burst: 10) == TokenBucket.Decision(allowed: true, remaining: 9, retryAfterSeconds: 0, fullInSeconds: 1))
        for _ in 0..<8 { _ = c.take(nowMicros: 0, rate: 5, burst: 10) }
        #expect(c.take(nowMicros: 0, rate: 5, burst: 10) == TokenBucket.Decision(allowed: true, remaining: 0, retryAfterSeconds: 0, fullInSeconds: 2))
        // A full bucket after a long idle: full-in 0 before a take, 1 token missing after it.
        #expect(TokenBucket.decision(allowed: true, low: 10, rate: 5, burst: 10).fullInSeconds == 0)
        // Retry-After is never 0 on a refusal, even when a token is a hair away.
        #expect(TokenBucket.decision(allowed: false, low: 0.9999999, rate: 1000, burst: 10).retryAfterSeconds == 1)
    }

    @Test func remainingIsRoundedDown() {
        var b = TokenBucket(burst: 3, nowMicros: 0)
        for _ in 0..<3 { _ = b.take(nowMicros: 0, rate: 1, burst: 3) }
        let d = b.take(nowMicros: 1_900_000, rate: 1, burst: 3)  // 1.9 tokens, take one → 0.9
        #expect(d.allowed && d.remaining == 0)
        #expect(abs(b.tokens - 0.9) < 1e-9)
    }
}

/// A tiny deterministic PRNG for the property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
