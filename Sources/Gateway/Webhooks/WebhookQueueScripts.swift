// API: the delivery queue's scripts. Each step is ONE script on Redis's clock (TIME), so nodes never race:
// - fanout: one stream entry becomes one delivery per matching subscription (record + due now), and the
//   entry is acknowledged in the same step: from then on the deliveries live only in Redis.
// - claim: due deliveries are leased to one node (score pushed to now + lease); a node that dies stops
//   renewing, its leases run out and the deliveries are due again for any node. A healthy node renews its
//   in-flight leases, so its work is never taken.
// - settle: the holder records the outcome — delivered (record gone, counter), retry (attempts + 1, due
//   after the delay the schedule chose), dead or gone (appended to the dead letters, record gone; gone also
//   disables the subscription: `disabled_reason` gone). The same step keeps the subscription's failure run
//   (`failing_since`) and disables it (`failing`) once the run reaches disable-after, emitting
//   `webhook_endpoint_disabled` into the event stream. A result from a node that no longer holds the
//   delivery changes nothing.
import RedisStore

enum WebhookQueueScripts {
    /// KEYS[1] due zset, KEYS[2] stream, KEYS[3] created zset, KEYS[4..] delivery records (one per
    /// subscription, same order as ARGV[6..]). ARGV[1] group, ARGV[2] entry id, ARGV[3] event id, ARGV[4] type, ARGV[5] body,
    /// ARGV[6..] subscription ids. Returns the number of deliveries created (existing ones are kept).
    static let fanout = RedisScript(name: "webhook_fanout", source: """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local made = 0
        for i = 6, #ARGV do
          local key = KEYS[i - 2]
          if redis.call('EXISTS', key) == 0 then
            redis.call('HSET', key, 'sub', ARGV[i], 'event_id', ARGV[3], 'type', ARGV[4], 'body', ARGV[5],
                       'attempts', 0, 'created_at', now, 'holder', '')
            redis.call('ZADD', KEYS[1], 'NX', now, ARGV[i] .. '|' .. ARGV[3])
            redis.call('ZADD', KEYS[3], 'NX', now, ARGV[i] .. '|' .. ARGV[3])
            made = made + 1
          end
        end
        redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
        return made
        """)

    /// KEYS[1] due zset, KEYS[2] created zset. ARGV[1] node id, ARGV[2] most to claim, ARGV[3] lease ms,
    /// ARGV[4] record key prefix.
    /// Returns a flat list: per claimed delivery {member, sub, event_id, type, body, attempts}.
    static let claim = RedisScript(name: "webhook_claim", source: """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
        local out = {}
        for _, m in ipairs(due) do
          local sep = string.find(m, '|', 1, true)
          local key = ARGV[4] .. string.sub(m, 1, sep - 1) .. ':' .. string.sub(m, sep + 1)
          local r = redis.call('HMGET', key, 'sub', 'event_id', 'type', 'body', 'attempts')
          if r[1] then
            redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), m)
            redis.call('HSET', key, 'holder', ARGV[1])
            out[#out + 1] = m
            for j = 1, 5 do out[#out + 1] = r[j] end
          else
            redis.call('ZREM', KEYS[1], m)
            redis.call('ZREM', KEYS[2], m)
          end
        end
        return out
        """)

    /// KEYS[1] due zset. ARGV[1] node id, ARGV[2] lease ms, ARGV[3] record key prefix, ARGV[4..] members.
    /// Returns how many leases were renewed (only those this node still holds).
    static let renew = RedisScript(name: "webhook_renew", source: """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local n = 0
        for i = 4, #ARGV do
          local m = ARGV[i]
          local sep = string.find(m, '|', 1, true)
          local key = ARGV[3] .. string.sub(m, 1, sep - 1) .. ':' .. string.sub(m, sep + 1)
          if redis.call('HGET', key, 'holder') == ARGV[1] then
            redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), m)
            n = n + 1
          end
        end
        return n
        """)

    /// KEYS[1] due zset, KEYS[2] the delivery record, KEYS[3] the subscription hash, KEYS[4] dead letters,
    /// KEYS[5] the event stream, KEYS[6] created zset. ARGV[1] member, ARGV[2] node id, ARGV[3] outcome (delivered|retry|dead|gone),
    /// ARGV[4] delay ms (retry), ARGV[5] last status ("" none), ARGV[6] last error (""), ARGV[7] dead-letter
    /// MAXLEN, ARGV[8] disable-after ms, ARGV[9] an event id for `webhook_endpoint_disabled`, ARGV[10] its
    /// `emitted_at`/`timestamp`, ARGV[11] event stream MAXLEN, ARGV[12] the subscription change channel.
    /// A 2xx ends the subscription's failure run (`failing_since` cleared); any other outcome starts one
    /// (or continues it), and a run as long as disable-after disables the subscription (`failing`). A
    /// subscription this step disables (failing, or gone on a 410) gets a `webhook_endpoint_disabled` event
    /// in the stream and a change notice, once: the reason is set only while it is enabled.
    /// Returns 1 when applied, 0 when this node no longer holds the delivery.
    static let settle = RedisScript(name: "webhook_settle", source: """
        if redis.call('HGET', KEYS[2], 'holder') ~= ARGV[2] then return 0 end
        -- A subscription deleted meanwhile keeps no counters (HINCRBY would create its hash anew).
        local live = redis.call('HEXISTS', KEYS[3], 'id') == 1
        local function count(field) if live then redis.call('HINCRBY', KEYS[3], field, 1) end end
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local outcome = ARGV[3]
        if outcome == 'delivered' then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[6], ARGV[1])
          redis.call('DEL', KEYS[2])
          count('delivered')
          if live then redis.call('HSET', KEYS[3], 'last_success_at', now, 'failing_since', '') end
          return 1
        end
        local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
        count('failed')
        local disable = nil
        if live then
          local f = redis.call('HMGET', KEYS[3], 'failing_since', 'disabled_reason')
          local since = f[1] and tonumber(f[1])
          if not since then
            since = now
            redis.call('HSET', KEYS[3], 'failing_since', now)
          end
          local enabled = not f[2] or f[2] == ''
          if enabled and outcome == 'gone' then
            disable = 'gone'
          elseif enabled and now - since >= tonumber(ARGV[8]) then
            disable = 'failing'
          end
          if disable then
            redis.call('HSET', KEYS[3], 'disabled_reason', disable)
            local h = redis.call('HMGET', KEYS[3], 'id', 'url')
            local payload = cjson.encode({webhook_id = h[1], url = h[2], reason = disable,
                                          failing_for_seconds = math.floor((now - since) / 1000), timestamp = ARGV[10]})
            redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[11], '*', 'event_id', ARGV[9], 'hook', 'webhook_endpoint_disabled',
                       'payload', payload, 'emitted_at', ARGV[10])
            redis.call('PUBLISH', ARGV[12], h[1])
          end
        end
        if outcome == 'retry' then
          redis.call('HSET', KEYS[2], 'holder', '', 'last_status', ARGV[5], 'last_error', ARGV[6])
          redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
          return 1
        end
        local r = redis.call('HMGET', KEYS[2], 'sub', 'event_id', 'type', 'body')
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', 'sub', r[1], 'event_id', r[2], 'attempts', attempts,
                   'last_status', ARGV[5], 'last_error', ARGV[6], 'dead_at', now, 'type', r[3], 'body', r[4])
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[6], ARGV[1])
        redis.call('DEL', KEYS[2])
        count('dead')
        return 1
        """)

    static let all = [fanout, claim, renew, settle]
}
