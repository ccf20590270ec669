// RateLimiter without Redis: how a script reply becomes an outcome per mode, and the fail-open local
// buckets on a fake clock (counted, and the outage reported once per episode).
import RedisStore
import Synchronization
import Testing
@testable import Throttle

@Suite struct RateLimiterTests {
    /// A clock the test moves.
    final class FakeClock: Sendable {
        let micros = Atomic<Int64>(1_000_000)
        func advance(_ us: Int64) { micros.add(us, ordering: .relaxed) }
        var now: Int64 { micros.load(ordering: .relaxed) }
    }

    static func limits(_ state: ClassLimits) -> ThrottleLimits {
        var l = ThrottleLimits.defaults
        l.classes[.state] = state
        return l
    }

    static func reply(_ allowed: Int, _ remaining: Int, _ retry: Int, _ full: Int) -> RedisReply {
        .array([.integer(Int64(allowed)), .integer(Int64(remaining)), .integer(Int64(retry)), .integer(Int64(full))])
    }

    @Test func keysAndArguments() {
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 0.5, burst: 7, mode: .enforce)), idleTTLMillis: 1234, nowMicros: { 0 })
        #expect(r.keys(.state, user: "u1", session: "s1") == ["wg:tb:state:u:u1", "wg:tb:state:s:s1"])
        #expect(r.keys(.hooks, user: "core", session: nil) == ["wg:tb:hooks:u:core", ""])
        #expect(r.arguments(.state) == ["0.5", "7", "28000"], "TTL: twice the 14 s refill, above the 1.234 s idle setting")
        let fast = RateLimiter(limits: Self.limits(ClassLimits(rate: 100, burst: 7, mode: .enforce)), idleTTLMillis: 1234, nowMicros: { 0 })
        #expect(fast.arguments(.state) == ["100.0", "7", "1234"])
    }

    @Test func enforceRefusesAndCounts() {
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 1, burst: 2, mode: .enforce)), nowMicros: { 0 })
        let ok = r.decide(.state, scriptReply: Self.reply(1, 1, 0, 1))
        #expect(ok.passes && ok.source == .redis && ok.decision == TokenBucket.Decision(allowed: true, remaining: 1, retryAfterSeconds: 0, fullInSeconds: 1))
        let no = r.decide(.state, scriptReply: Self.reply(0, 0, 1, 2))
        #expect(!no.passes && no.decision?.retryAfterSeconds == 1 && !no.storeDown)
        #expect(r.counters.value(.state, .allowed) == 1)
        #expect(r.counters.value(.state, .refused) == 1)
        #expect(r.counters.value(.state, .shadowRefused) == 0)
        #expect(r.counters.value(.hooks, .allowed) == 0)
    }

    @Test func shadowPassesWhatWouldBeRefusedAndCountsIt() {
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 1, burst: 2, mode: .shadow)), nowMicros: { 0 })
        let o = r.decide(.state, scriptReply: Self.reply(0, 0, 1, 2))
        #expect(o.passes)
        #expect(o.decision?.allowed == false, "the headers still tell the truth")
        #expect(r.counters.value(.state, .shadowRefused) == 1)
        #expect(r.counters.value(.state, .refused) == 0)
    }

    @Test func offIsDisabledWithNoDecision() {
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 1, burst: 2, mode: .off)), nowMicros: { 0 })
        let o = r.disabled(.state)
        #expect(o.passes && o.decision == nil && o.source == .disabled)
    }

    @Test func failOpenUsesLocalBucketsOnTheInjectedClockAndReportsTheOutageOnce() {
        let clock = FakeClock()
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 2, burst: 2, mode: .enforce)), nowMicros: { clock.now })
        var changes: [Bool] = []
        r.onOutageChange = { changes.append($0) }
        let keys = r.keys(.state, user: "u", session: nil)
        let a = r.storeFailed(.state, keys: keys)
        let b = r.storeFailed(.state, keys: keys)
        let c = r.storeFailed(.state, keys: keys)
        #expect(a.passes && b.passes && !c.passes, "local burst of 2")
        #expect(a.source == .local && c.decision?.retryAfterSeconds == 1)
        clock.advance(500_000)  // rate 2: one token
        #expect(r.storeFailed(.state, keys: keys).passes)
        #expect(!r.storeFailed(.state, keys: keys).passes)
        #expect(r.counters.value(.state, .failOpen) == 5)
        #expect(r.counters.value(.state, .allowed) == 3)
        #expect(r.counters.value(.state, .refused) == 2)
        #expect(changes == [true], "one outage notice for the whole episode")
        _ = r.decide(.state, scriptReply: Self.reply(1, 0, 0, 1))
        _ = r.decide(.state, scriptReply: Self.reply(1, 0, 0, 1))
        #expect(changes == [true, false])
        _ = r.storeFailed(.state, keys: keys)
        #expect(changes == [true, false, true])
    }

    @Test func failOpenInShadowModeRefusesNothing() {
        let r = RateLimiter(limits: Self.limits(ClassLimits(rate: 1, burst: 1, mode: .shadow)), nowMicros: { 0 })
        let keys = r.keys(.state, user: "u", session: "s")
        #expect(r.storeFailed(.state, keys: keys).passes)
        #expect(r.storeFailed(.state, keys: keys).passes)
        #expect(r.counters.value(.state, .shadowRefused) == 1)
    }

    @Test func failClosedRefusesWithStoreDown() {
        let r = RateLimiter(limits: .defaults, failClosed: true, nowMicros: { 0 })
        let o = r.storeFailed(.events, keys: r.keys(.events, user: "u", session: "s"))
        #expect(!o.passes && o.storeDown && o.decision == nil)
        #expect(r.counters.value(.events, .failClosed) == 1)
        #expect(r.counters.value(.events, .failOpen) == 0)
    }
}
