// The bucket script. ONE script takes from the user's and the session's bucket atomically, with Redis's
// clock (TIME), so nodes with skewed clocks agree; buckets expire when idle. The gateway appends its
// own reads to the same script (the state route: throttle + room/session read in one round trip).
import RedisStore

/// Lua for token buckets.
public enum ThrottleScripts {
    /// Lua that defines `wg_take(k_user, k_session, rate, burst, ttl_ms, half_us)`: each bucket is one
    /// 16-byte string (tokens and last-update microseconds as two little-endian doubles), both read by
    /// one MGET, each written by one SET. Returns four values: allowed 0/1, remaining, retry_after_s,
    /// full_in_s. Same formula as `TokenBucket`.
    ///
    /// Idle expiry without paying for it on every request: a SET carries `PX ttl_ms` only when the
    /// bucket is new or its last update lies in another `half_us` (= ttl/2) epoch of Redis's clock than
    /// now; otherwise `KEEPTTL`. A bucket therefore lives at least ttl/2 after its last use and at most
    /// ttl; the caller picks ttl >= 2 x the time to refill, so an expired bucket was full anyway.
    /// (Measured with redis-benchmark: KEEPTTL, straight-line Lua and `ttl_ms` passed as text, not
    /// re-formatted from a Lua number, made the state route's script 21% cheaper for Redis.)
    public static let bucketFunction = """
        local function wg_take(k_user, k_session, rate, burst, ttl_ms, half_us)
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local vu, vs
          if k_session ~= '' then
            local v = redis.call('MGET', k_user, k_session)
            vu, vs = v[1], v[2]
          else
            vu = redis.call('GET', k_user)
          end
          -- tokens, update time, and whether the SET must (re)arm the expiry, per bucket; written out
          -- twice on purpose (a loop over small tables measured ~10% slower in Redis)
          local tu, au, xu, tsn, asn, xs = burst, now, true, burst, now, true
          if vu and #vu == 16 then
            local tokens, ts = struct.unpack('<dd', vu)
            if now > ts then au = now else au = ts end
            tu = math.min(burst, tokens + (au - ts) / 1000000 * rate)
            xu = math.floor(au / half_us) ~= math.floor(ts / half_us)
          end
          if vs and #vs == 16 then
            local tokens, ts = struct.unpack('<dd', vs)
            if now > ts then asn = now else asn = ts end
            tsn = math.min(burst, tokens + (asn - ts) / 1000000 * rate)
            xs = math.floor(asn / half_us) ~= math.floor(ts / half_us)
          end
          local allowed = 0
          if tu >= 1 and tsn >= 1 then
            allowed = 1
            tu = tu - 1
            tsn = tsn - 1
          end
          if xu then redis.call('SET', k_user, struct.pack('<dd', tu, au), 'PX', ttl_ms)
          else redis.call('SET', k_user, struct.pack('<dd', tu, au), 'KEEPTTL') end
          if k_session ~= '' then
            if xs then redis.call('SET', k_session, struct.pack('<dd', tsn, asn), 'PX', ttl_ms)
            else redis.call('SET', k_session, struct.pack('<dd', tsn, asn), 'KEEPTTL') end
          end
          local low = math.min(tu, tsn)
          local retry = 0
          if allowed == 0 then retry = math.max(1, math.ceil((1 - low) / rate)) end
          return allowed, math.floor(low), retry, math.ceil((burst - low) / rate)
        end
        """

    /// The Lua call of `wg_take` with the standard arguments: KEYS[k], KEYS[k+1] the buckets, ARGV[1]
    /// rate, ARGV[2] burst, ARGV[3] TTL in ms (an integer, as text).
    public static func takeCall(userKey: Int) -> String {
        "wg_take(KEYS[\(userKey)], KEYS[\(userKey + 1)], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[3]) * 500)"
    }

    /// Fields of one take's reply, in order `allowed, remaining, retry_after_s, full_in_s`: the head of
    /// any script that embeds `takeCall` and returns them first (the state route's combined read).
    public static let decisionFieldCount = 4

    /// Takes one token. KEYS[1] user bucket, KEYS[2] session bucket ("" for none).
    /// ARGV[1] rate, ARGV[2] burst, ARGV[3] bucket TTL ms. Returns {allowed, remaining, retry_after_s, full_in_s}.
    public static let take = RedisScript(name: "throttle_take", source: bucketFunction + "\n" + """
        return {\(takeCall(userKey: 1))}
        """)

    /// Redis expiry of a bucket: at least `idleMillis`, and at least twice the time to refill it from
    /// empty (a bucket lives >= ttl/2 after its last use, so it is full when it expires), capped at
    /// `maxTTLMillis`.
    public static func ttlMillis(rate: Double, burst: Double, idleMillis: Int) -> Int {
        let refill = (burst / max(rate, ClassLimits.minRate)) * 2000
        guard refill.isFinite, refill < Double(maxTTLMillis) else { return maxTTLMillis }
        return min(maxTTLMillis, max(idleMillis, Int(refill.rounded(.up))))
    }

    /// Longest bucket expiry: 7 days, in milliseconds. Only limits slower than burst per 3.5 days reach it.
    public static let maxTTLMillis = 604_800_000
}

/// Bucket key names. Buckets are per route class and per user (`sub`) or per session.
public enum ThrottleKeys {
    public static func user(_ routeClass: RouteClass, _ sub: String) -> String { userPrefix(routeClass) + sub }
    public static func session(_ routeClass: RouteClass, _ sessionID: String) -> String { sessionPrefix(routeClass) + sessionID }

    // Static prefixes: one concatenation per key on the hot path instead of an interpolation.
    private static func userPrefix(_ rc: RouteClass) -> String {
        switch rc {
        case .state: "wg:tb:state:u:"
        case .events: "wg:tb:events:u:"
        case .hooks: "wg:tb:hooks:u:"
        }
    }

    private static func sessionPrefix(_ rc: RouteClass) -> String {
        switch rc {
        case .state: "wg:tb:state:s:"
        case .events: "wg:tb:events:s:"
        case .hooks: "wg:tb:hooks:s:"
        }
    }
    /// Hash of limits: `<class>.rate`, `<class>.burst`, `<class>.mode`.
    public static let limits = "wg:throttle:limits"
    /// Channel announcing a change of limits.
    public static let limitsChannel = "wg:throttle:changed"
}
