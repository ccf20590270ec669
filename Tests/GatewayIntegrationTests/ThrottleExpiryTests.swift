// The bucket script's idle expiry on a real redis-server: the SET re-arms the TTL (PX) only when the
// bucket is new or its last update lies in an earlier half-TTL epoch of Redis's clock, and keeps it
// (KEEPTTL) otherwise. "Time passing" is simulated by writing buckets with an older update time and a
// shorter TTL, so nothing sleeps.
import Foundation
@testable import RedisStore
import Testing
import Throttle
@testable import Gateway
import HTTPServer

extension ThrottleIntegration {
    @Suite struct Expiry {
        static let ttlMillis = 600_000
        static let user = "wg:tb:state:u:expiry-user", session = "wg:tb:state:s:expiry-session"

        /// Runs the take script (rate 1/s, burst 10) and returns `{allowed, remaining, …}` as integers.
        static func take(_ c: ThrottleCluster) -> [Int]? {
            let cmd = RedisCommand(["EVAL", ThrottleScripts.take.source, "2", user, session, "1", "10", String(ttlMillis)])
            guard let raw = BlockingRedis.roundTrip(c.redis.address.endpoint, cmd, timeoutMillis: 2_000) else { return nil }
            let (replies, error) = RESPReader.parse(raw)
            guard error == nil, let first = replies.first, let items = first.array else { return nil }
            return items.map { Int($0.integer ?? -1) }
        }

        /// Stores a bucket with `tokens`, last updated `agoMicros` before Redis's now, expiring in `pttl` ms.
        static func plant(_ c: ThrottleCluster, _ key: String, tokens: Double, agoMicros: Int, pttl: Int) -> Bool {
            c.redisInt("""
                local t = redis.call('TIME')
                local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
                redis.call('SET', '\(key)', struct.pack('<dd', \(tokens), now - \(agoMicros)), 'PX', \(pttl))
                return 1
                """) == 1
        }

        static func pttl(_ c: ThrottleCluster, _ key: String) -> Int? { c.redisInt("return redis.call('PTTL', '\(key)')") }

        @Test func expiryIsReArmedOnlyAcrossHalfTTLEpochs() throws {
            let c = try ThrottleCluster(nodes: 0)
            defer { c.stop() }
            let half = Self.ttlMillis * 1000 / 2

            // New buckets: full burst minus one, both armed with the whole TTL.
            #expect(Self.take(c) == [1, 9, 0, 1])
            for key in [Self.user, Self.session] {
                let p = Self.pttl(c, key) ?? -1
                #expect(p > Self.ttlMillis - 5_000 && p <= Self.ttlMillis, "new bucket \(key): PTTL \(p)")
            }

            // Used again in the same epoch: the TTL is kept (a shortened one stays short), tokens go on.
            #expect(Self.plant(c, Self.user, tokens: 4, agoMicros: 0, pttl: 100_000))
            #expect(Self.take(c) == [1, 3, 0, 7])
            let kept = Self.pttl(c, Self.user) ?? -1
            #expect(kept > 0 && kept <= 100_000, "same epoch: KEEPTTL, PTTL \(kept)")

            // Last update one epoch back (half a TTL ago): the TTL is re-armed, the refill is applied
            // (300 s at 1/s fills the burst again).
            #expect(Self.plant(c, Self.user, tokens: 0, agoMicros: half, pttl: 100_000))
            #expect(Self.plant(c, Self.session, tokens: 0, agoMicros: half, pttl: 100_000))
            #expect(Self.take(c) == [1, 9, 0, 1])
            for key in [Self.user, Self.session] {
                let p = Self.pttl(c, key) ?? -1
                #expect(p > Self.ttlMillis - 5_000 && p <= Self.ttlMillis, "earlier epoch \(key): re-armed, PTTL \(p)")
            }
        }

        /// The TTL the gateway sends: the idle setting, or twice the time to refill from empty when that is
        /// longer (a bucket lives at least TTL/2 after its last use, so it is full when it goes), capped.
        @Test func ttlCoversTwiceTheRefillTime() {
            #expect(ThrottleScripts.ttlMillis(rate: 2, burst: 30, idleMillis: 600_000) == 600_000)
            #expect(ThrottleScripts.ttlMillis(rate: 0.5, burst: 7, idleMillis: 1_234) == 28_000)
            #expect(ThrottleScripts.ttlMillis(rate: 0.01, burst: 10_000, idleMillis: 600_000) == ThrottleScripts.maxTTLMillis)
            #expect(ThrottleScripts.ttlMillis(rate: ClassLimits.minRate, burst: ClassLimits.maxBurst, idleMillis: 600_000) == ThrottleScripts.maxTTLMillis)
            #expect(ThrottleScripts.ttlMillis(rate: 3, burst: 1_000, idleMillis: 600_000) == 666_667)
        }
    }
}
