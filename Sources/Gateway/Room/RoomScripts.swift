// The room's Redis scripts. Each multi-key decision is ONE script: it checks, applies, bumps the
// version and publishes the wake atomically, so concurrent hooks on many nodes cannot interleave.
// A room wake carries the room as it stands after the change: `r:<version>:<status>:<cta>:<type>`
// (nodes before this format sent `r:<version>` and re-read the room; both forms are understood).
import RedisStore
import Throttle

/// Lua scripts for room state.
public enum RoomScripts {
    /// Reads the room and (optionally) one session in one round trip.
    /// KEYS[1] room hash, KEYS[2] session hash ("" for none).
    /// Returns one flat array: room {v, status, cta, type}, then with a session its
    /// {v, entered_at, left_at, completed_at, progress, joined_at} (flat: a nested table costs Redis
    /// a second conversion per call).
    public static let read = RedisScript(name: "state_read", source: """
        local r = redis.call('HMGET', KEYS[1], 'v', 'status', 'cta', 'type')
        if KEYS[2] == '' then return r end
        local s = redis.call('HMGET', KEYS[2], 'v', 'entered_at', 'left_at', 'completed_at', 'progress', 'joined_at')
        return {r[1], r[2], r[3], r[4], s[1], s[2], s[3], s[4], s[5], s[6]}
        """)

    /// The state route's ONE round trip: take from the buckets, then read the room and the session.
    /// KEYS[1] user bucket, KEYS[2] session bucket (""), KEYS[3] room, KEYS[4] session ("").
    /// ARGV[1] rate, ARGV[2] burst, ARGV[3] bucket TTL ms. Returns one flat array:
    /// {allowed, remaining, retry_after_s, full_in_s, room fields (4), session fields (6, with a session)}.
    public static let readThrottled = RedisScript(name: "state_read_throttled", source: ThrottleScripts.bucketFunction + "\n" + """
        if KEYS[1] == '' then return redis.error_reply('state_read_throttled needs a user bucket') end
        local a, rem, retry, full = \(ThrottleScripts.takeCall(userKey: 1))
        local r = redis.call('HMGET', KEYS[3], 'v', 'status', 'cta', 'type')
        if KEYS[4] == '' then return {a, rem, retry, full, r[1], r[2], r[3], r[4]} end
        local s = redis.call('HMGET', KEYS[4], 'v', 'entered_at', 'left_at', 'completed_at', 'progress', 'joined_at')
        return {a, rem, retry, full, r[1], r[2], r[3], r[4], s[1], s[2], s[3], s[4], s[5], s[6]}
        """)

    /// Fields per part of the flat replies above.
    static let throttleFieldCount = ThrottleScripts.decisionFieldCount, roomFieldCount = 4, sessionFieldCount = 6

    /// Applies a status action. KEYS[1] room hash, KEYS[2] attendance job hash, KEYS[3] pending-jobs set,
    /// KEYS[4] leads set, KEYS[5] entered set. ARGV[1] action, ARGV[2] webinar type for a first touch,
    /// ARGV[3] wake channel, ARGV[4] webinar id, ARGV[5] room TTL seconds.
    /// Returns {code, status, cta, version}: code 1 applied, 0 no-op, -1 illegal. An applied change
    /// refreshes the room's TTL. Leaving a live webinar for good (`live`/`paused` → `ended`, or
    /// `live`/`paused` → `archived`) enqueues the attendance batch in the same step (resumable: a cursor
    /// in the job hash) and keeps the job and its audience (leads, entered) for the room TTL; `ended` →
    /// `archived` does not enqueue again (that webinar was classified when it ended).
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
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        redis.call('PUBLISH', ARGV[3], 'r:' .. v .. ':' .. target .. ':' .. cta .. ':' .. redis.call('HGET', KEYS[1], 'type'))
        if (target == 'ended' or (target == 'archived' and (st == 'live' or st == 'paused'))) and KEYS[2] then
          redis.call('HSET', KEYS[2], 'state', 'pending', 'cursor', '0')
          redis.call('EXPIRE', KEYS[2], ARGV[5])
          redis.call('SADD', KEYS[3], ARGV[4])
          if KEYS[4] then redis.call('EXPIRE', KEYS[4], ARGV[5]) end
          if KEYS[5] then redis.call('EXPIRE', KEYS[5], ARGV[5]) end
        end
        return {1, target, cta, v}
        """)

    /// Sets CTA visibility. KEYS[1] room hash. ARGV[1] "1"/"0", ARGV[2] type for a first touch,
    /// ARGV[3] wake channel, ARGV[4] (unused: the webinar id of `setStatus`), ARGV[5] room TTL seconds.
    /// Returns {code, status, cta, version}: 1 applied (the room's TTL refreshed), 0 no-op, -1 archived.
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
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        redis.call('PUBLISH', ARGV[3], 'r:' .. v .. ':' .. st .. ':' .. want .. ':' .. redis.call('HGET', KEYS[1], 'type'))
        return {1, st, want, v}
        """)

    /// All scripts, loaded on every connection at connect.
    public static let all = [read, readThrottled, setStatus, setCTA]
}
