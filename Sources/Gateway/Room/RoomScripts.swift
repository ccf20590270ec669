// The room's Redis scripts. Each multi-key decision is ONE script: it checks, applies, bumps the
// version and publishes the wake atomically, so concurrent hooks on many nodes cannot interleave.
import RedisStore
import Throttle

/// Lua scripts for room state.
public enum RoomScripts {
    /// Reads the room and (optionally) one session in one round trip.
    /// KEYS[1] room hash, KEYS[2] session hash ("" for none).
    /// Returns { {v, status, cta, type}, {v, entered_at, left_at, completed_at, progress, joined_at} | 0 }.
    public static let read = RedisScript(name: "state_read", source: """
        local r = redis.call('HMGET', KEYS[1], 'v', 'status', 'cta', 'type')
        local s = 0
        if KEYS[2] ~= '' then
          s = redis.call('HMGET', KEYS[2], 'v', 'entered_at', 'left_at', 'completed_at', 'progress', 'joined_at')
        end
        return {r, s}
        """)

    /// The state route's ONE round trip: take from the buckets, then read the room and the session.
    /// KEYS[1] user bucket ("" = throttle off), KEYS[2] session bucket (""), KEYS[3] room, KEYS[4] session ("").
    /// ARGV[1] rate, ARGV[2] burst, ARGV[3] idle TTL ms. Returns { throttle | 0, room fields, session fields | 0 }.
    public static let readThrottled = RedisScript(name: "state_read_throttled", source: ThrottleScripts.bucketFunction + "\n" + """
        local t = 0
        if KEYS[1] ~= '' then t = wg_take(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])) end
        local r = redis.call('HMGET', KEYS[3], 'v', 'status', 'cta', 'type')
        local s = 0
        if KEYS[4] ~= '' then
          s = redis.call('HMGET', KEYS[4], 'v', 'entered_at', 'left_at', 'completed_at', 'progress', 'joined_at')
        end
        return {t, r, s}
        """)

    /// Applies a status action. KEYS[1] room hash, KEYS[2] attendance job hash, KEYS[3] pending-jobs set.
    /// ARGV[1] action, ARGV[2] webinar type for a first touch, ARGV[3] wake channel, ARGV[4] webinar id.
    /// Returns {code, status, cta, version}: code 1 applied, 0 no-op, -1 illegal. A move to `ended`
    /// enqueues the attendance batch in the same step (resumable: a cursor in the job hash).
    public static let setStatus = RedisScript(name: "room_set_status", source: """
        local st = redis.call('HGET', KEYS[1], 'status') or 'scheduled'
        local target = ({start='live', stop='ended', pause='paused', archive='archived'})[ARGV[1]]
        local cta = tonumber(redis.call('HGET', KEYS[1], 'cta') or '0')
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if target == nil then return {-2, st, cta, v} end
        if st == target then return {0, st, cta, v} end
        local legal = ({
          start = {scheduled=true, ended=true, paused=true},
          stop = {live=true, paused=true},
          pause = {live=true},
          archive = {scheduled=true, live=true, paused=true, ended=true}
        })[ARGV[1]]
        if not legal[st] then return {-1, st, cta, v} end
        v = redis.call('HINCRBY', KEYS[1], 'v', 1)
        redis.call('HSET', KEYS[1], 'status', target)
        redis.call('HSETNX', KEYS[1], 'type', ARGV[2])
        redis.call('HSETNX', KEYS[1], 'cta', '0')
        redis.call('PUBLISH', ARGV[3], 'r:' .. v)
        if target == 'ended' and KEYS[2] then
          redis.call('HSET', KEYS[2], 'state', 'pending', 'cursor', '0')
          redis.call('SADD', KEYS[3], ARGV[4])
        end
        return {1, target, cta, v}
        """)

    /// Sets CTA visibility. KEYS[1] room hash. ARGV[1] "1"/"0", ARGV[2] type for a first touch,
    /// ARGV[3] wake channel. Returns {code, status, cta, version}: 1 applied, 0 no-op, -1 archived.
    public static let setCTA = RedisScript(name: "room_set_cta", source: """
        local st = redis.call('HGET', KEYS[1], 'status') or 'scheduled'
        local cta = tonumber(redis.call('HGET', KEYS[1], 'cta') or '0')
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if st == 'archived' then return {-1, st, cta, v} end
        local want = tonumber(ARGV[1])
        if cta == want then return {0, st, cta, v} end
        v = redis.call('HINCRBY', KEYS[1], 'v', 1)
        redis.call('HSET', KEYS[1], 'cta', ARGV[1])
        redis.call('HSETNX', KEYS[1], 'status', 'scheduled')
        redis.call('HSETNX', KEYS[1], 'type', ARGV[2])
        redis.call('PUBLISH', ARGV[3], 'r:' .. v)
        return {1, st, want, v}
        """)

    /// All scripts, loaded on every connection at connect.
    public static let all = [read, readThrottled, setStatus, setCTA]
}
