// LocalBuckets (the fail-open fallback): one take covers every key (user and session) jointly, exactly
// like the Redis script, and the table stays within `maxEntries`.
import Testing
import Throttle

@Suite struct LocalBucketsTests {
    @Test func jointTakeNeedsATokenInEveryKeyAndSpendsNothingOnRefusal() {
        var l = LocalBuckets()
        // Burst 2, no refill during the test (clock fixed).
        #expect(l.take(["u:A", "s:1"], nowMicros: 0, rate: 1, burst: 2).allowed)
        #expect(l.take(["u:A", "s:1"], nowMicros: 0, rate: 1, burst: 2).allowed)
        #expect(!l.take(["u:A", "s:1"], nowMicros: 0, rate: 1, burst: 2).allowed)
        // User B on the exhausted session 1: refused by the session bucket ...
        let refused = l.take(["u:B", "s:1"], nowMicros: 0, rate: 1, burst: 2)
        #expect(!refused.allowed && refused.remaining == 0)
        // ... and that refusal took nothing from B's own bucket: B still has its full burst of 2.
        let b1 = l.take(["u:B", "s:2"], nowMicros: 0, rate: 1, burst: 2)
        #expect(b1.allowed && b1.remaining == 1)
        let b2 = l.take(["u:B", "s:3"], nowMicros: 0, rate: 1, burst: 2)
        #expect(b2.allowed && b2.remaining == 0, "remaining is the lowest bucket (B's, at 0)")
        #expect(!l.take(["u:B", "s:4"], nowMicros: 0, rate: 1, burst: 2).allowed, "B's user bucket is empty now")
        // User A on a fresh session: A's own bucket is empty.
        #expect(!l.take(["u:A", "s:5"], nowMicros: 0, rate: 1, burst: 2).allowed)
        // A fresh user on a fresh session is not slowed by any of that.
        let c = l.take(["u:C", "s:6"], nowMicros: 0, rate: 1, burst: 2)
        #expect(c.allowed && c.remaining == 1)
    }

    @Test func remainingIsTheLowerOfTheTwoBuckets() {
        var l = LocalBuckets()
        for _ in 0..<3 { _ = l.take(["u:A"], nowMicros: 0, rate: 1, burst: 5) }  // A: 2 left
        let d = l.take(["u:A", "s:new"], nowMicros: 0, rate: 1, burst: 5)       // A 1, session 4
        #expect(d.allowed && d.remaining == 1)
        #expect(d.fullInSeconds == 4)
    }

    @Test func jointBucketsRefillOnTheGivenClock() {
        var l = LocalBuckets()
        #expect(l.take(["u", "s"], nowMicros: 0, rate: 2, burst: 1).allowed)
        let r = l.take(["u", "s"], nowMicros: 400_000, rate: 2, burst: 1)
        #expect(!r.allowed && r.retryAfterSeconds == 1)
        #expect(l.take(["u", "s"], nowMicros: 500_000, rate: 2, burst: 1).allowed)
        // The clock going back adds nothing.
        #expect(!l.take(["u", "s"], nowMicros: 100_000, rate: 2, burst: 1).allowed)
        #expect(!l.take(["u", "s"], nowMicros: 999_999, rate: 2, burst: 1).allowed)
        #expect(l.take(["u", "s"], nowMicros: 1_000_000, rate: 2, burst: 1).allowed)
    }

    @Test func neverHoldsMoreThanMaxEntries() {
        var l = LocalBuckets(maxEntries: 10)
        for i in 0..<1_000 {
            _ = l.take(["u:\(i)", "s:\(i)"], nowMicros: 0, rate: 1, burst: 3)
            #expect(l.count <= 10, "after take \(i): \(l.count)")
            if l.count > 10 { break }
        }
        var single = LocalBuckets(maxEntries: 7)
        for i in 0..<500 { _ = single.take(["k\(i)"], nowMicros: 0, rate: 1, burst: 1) }
        #expect(single.count <= 7 && single.count > 0)
        // A flood of 100,000 distinct keys against the default bound.
        var big = LocalBuckets()
        for i in 0..<100_000 { _ = big.take(["u:\(i)"], nowMicros: 0, rate: 1, burst: 1) }
        #expect(big.count <= big.maxEntries)
    }

    @Test func evictionDropsTheOldestFirst() {
        var l = LocalBuckets(maxEntries: 4)
        for k in ["k1", "k2", "k3", "k4"] { #expect(l.take([k], nowMicros: 0, rate: 1, burst: 1).allowed) }
        #expect(l.count == 4)
        #expect(l.take(["k5"], nowMicros: 0, rate: 1, burst: 1).allowed)  // 5 > 4: the oldest half (k1, k2) goes
        #expect(l.count == 3)
        // k1 was forgotten: a full bucket again. k4 and k5 were kept: still empty.
        #expect(l.take(["k1"], nowMicros: 0, rate: 1, burst: 1).allowed)
        #expect(!l.take(["k4"], nowMicros: 0, rate: 1, burst: 1).allowed)
        #expect(!l.take(["k5"], nowMicros: 0, rate: 1, burst: 1).allowed)
        #expect(l.count == 4)
    }
}
