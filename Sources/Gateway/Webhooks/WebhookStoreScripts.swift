// API: the subscription store's scripts (WebhookStore). Every change that touches more than one key, or
// decides on what is stored, is ONE script, so two operators (or an operator and the delivery layer's
// settle script) never lose each other's writes:
// - create: the hash and the index entry together, then the change notice.
// - patch: only the given fields, and only while the subscription exists (a vanished one is not re-made).
// - rotate: the current secret becomes the previous one, read and written in the same step.
// - delete: hash and index entry together. Pending deliveries are left to the runner (see WebhookStore).
// - dead: the dead letters of one subscription, newest first, scanning a bounded number of entries.
// - replay: per dead letter, the delivery record re-made, due now, and the entry removed, atomically.
// - enqueue: stored events (read from the event stream by the store) become deliveries of one
//   subscription, due now, unless one is pending already.
// "Exists" means the hash has its `id` field: the settle script never re-creates a deleted hash.
import RedisStore

enum WebhookStoreScripts {
    /// KEYS[1] sub hash, KEYS[2] id index. ARGV[1] channel, ARGV[2] id, ARGV[3..] field/value pairs.
    /// Returns 1 when created, 0 when the id is taken (nothing written).
    static let create = RedisScript(name: "webhook_sub_create", source: """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('SADD', KEYS[2], ARGV[2])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return 1
        """)

    /// KEYS[1] id index. ARGV[1] sub hash key prefix. Returns one HGETALL array per stored subscription.
    static let list = RedisScript(name: "webhook_sub_list", source: """
        local out = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local h = redis.call('HGETALL', ARGV[1] .. id)
          if #h > 0 then out[#out + 1] = h end
        end
        return out
        """)

    /// KEYS[1] sub hash. ARGV[1] channel, ARGV[2] id, ARGV[3] enabled ("" unchanged, "1" enable: reason
    /// and failure record cleared, "0" disable: reason `manual` unless already disabled), ARGV[4..]
    /// field/value pairs. Returns the hash after the change, or nil when the subscription does not exist.
    static let patch = RedisScript(name: "webhook_sub_patch", source: """
        if redis.call('HEXISTS', KEYS[1], 'id') == 0 then return false end
        if #ARGV >= 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
        if ARGV[3] == '1' then
          redis.call('HSET', KEYS[1], 'disabled_reason', '', 'failing_since', '', 'last_success_at', '')
        elseif ARGV[3] == '0' then
          local r = redis.call('HGET', KEYS[1], 'disabled_reason')
          if not r or r == '' then redis.call('HSET', KEYS[1], 'disabled_reason', 'manual') end
        end
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return redis.call('HGETALL', KEYS[1])
        """)

    /// KEYS[1] sub hash. ARGV[1] channel, ARGV[2] id, ARGV[3] new secret, ARGV[4] Unix ms the previous one
    /// stops signing. Returns the hash after the change, or nil when the subscription does not exist.
    static let rotate = RedisScript(name: "webhook_sub_rotate", source: """
        if redis.call('HEXISTS', KEYS[1], 'id') == 0 then return false end
        local current = redis.call('HGET', KEYS[1], 'secret')
        redis.call('HSET', KEYS[1], 'previous_secret', current, 'previous_valid_until', ARGV[4], 'secret', ARGV[3])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return redis.call('HGETALL', KEYS[1])
        """)

    /// KEYS[1] sub hash, KEYS[2] id index. ARGV[1] channel, ARGV[2] id. Returns 1 when deleted, 0 when absent.
    static let delete = RedisScript(name: "webhook_sub_delete", source: """
        local n = redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        if n == 1 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
        return n
        """)

    /// KEYS[1] dead letters, KEYS[2] sub hash. ARGV[1] sub id, ARGV[2] most to return, ARGV[3] most entries
    /// to scan. Returns nil when the subscription does not exist, else a flat list, newest first, per
    /// match {entry id, event_id, attempts, last_status, last_error, dead_at}.
    static let dead = RedisScript(name: "webhook_sub_dead", source: """
        if redis.call('HEXISTS', KEYS[2], 'id') == 0 then return false end
        local out, last, scanned = {}, '+', 0
        local limit, most = tonumber(ARGV[2]), tonumber(ARGV[3])
        while scanned < most and #out < limit * 6 do
          local page = redis.call('XREVRANGE', KEYS[1], last, '-', 'COUNT', math.min(100, most - scanned))
          if #page == 0 then break end
          for _, e in ipairs(page) do
            local f = {}
            for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
            if f['sub'] == ARGV[1] and #out < limit * 6 then
              for _, v in ipairs({e[1], f['event_id'] or '', f['attempts'] or '0', f['last_status'] or '',
                                  f['last_error'] or '', f['dead_at'] or ''}) do out[#out + 1] = v end
            end
          end
          scanned = scanned + #page
          last = '(' .. page[#page][1]
        end
        return out
        """)

    /// KEYS[1] dead letters, KEYS[2] due zset, KEYS[3] sub hash, KEYS[4] created zset. ARGV[1] sub id, ARGV[2] event id ("" every
    /// one), ARGV[3] most entries to scan, ARGV[4] delivery record prefix. Oldest first, each matching
    /// dead letter gets its delivery record back (attempts 0, due now) unless one is pending already,
    /// and leaves the stream. Returns how many were replayed, or -1 when the subscription does not exist.
    static let replay = RedisScript(name: "webhook_sub_replay", source: """
        if redis.call('HEXISTS', KEYS[3], 'id') == 0 then return -1 end
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local found, last, scanned, most = {}, '-', 0, tonumber(ARGV[3])
        while scanned < most do
          local page = redis.call('XRANGE', KEYS[1], last, '+', 'COUNT', math.min(100, most - scanned))
          if #page == 0 then break end
          for _, e in ipairs(page) do
            local f = {}
            for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
            if f['sub'] == ARGV[1] and f['event_id'] and (ARGV[2] == '' or f['event_id'] == ARGV[2]) then
              found[#found + 1] = {e[1], f}
            end
          end
          scanned = scanned + #page
          last = '(' .. page[#page][1]
        end
        for _, entry in ipairs(found) do
          local f = entry[2]
          local key = ARGV[4] .. ARGV[1] .. ':' .. f['event_id']
          if redis.call('EXISTS', key) == 0 then
            redis.call('HSET', key, 'sub', ARGV[1], 'event_id', f['event_id'], 'type', f['type'] or '', 'body', f['body'] or '',
                       'attempts', 0, 'created_at', now, 'holder', '')
            redis.call('ZADD', KEYS[2], now, ARGV[1] .. '|' .. f['event_id'])
            redis.call('ZADD', KEYS[4], 'NX', now, ARGV[1] .. '|' .. f['event_id'])
          end
          redis.call('XDEL', KEYS[1], entry[1])
        end
        return #found
        """)

    /// KEYS[1] due zset, KEYS[2] created zset, KEYS[3] sub hash. ARGV[1] sub id, ARGV[2] delivery record
    /// prefix, ARGV[3..] (event id, type, body) triples. Returns how many deliveries were made, or -1 when
    /// the subscription does not exist.
    static let enqueue = RedisScript(name: "webhook_sub_enqueue", source: """
        if redis.call('HEXISTS', KEYS[3], 'id') == 0 then return -1 end
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local made = 0
        for i = 3, #ARGV - 2, 3 do
          local key = ARGV[2] .. ARGV[1] .. ':' .. ARGV[i]
          if redis.call('EXISTS', key) == 0 then
            redis.call('HSET', key, 'sub', ARGV[1], 'event_id', ARGV[i], 'type', ARGV[i + 1], 'body', ARGV[i + 2],
                       'attempts', 0, 'created_at', now, 'holder', '')
            redis.call('ZADD', KEYS[1], now, ARGV[1] .. '|' .. ARGV[i])
            redis.call('ZADD', KEYS[2], 'NX', now, ARGV[1] .. '|' .. ARGV[i])
            made = made + 1
          end
        end
        return made
        """)
}
