// The fan-out of a whole read batch in ONE script: the same step as `fanout` for every entry (a delivery
// per matching subscription, record + due now, existing ones kept), one TIME and the acknowledgements
// together. One script per batch instead of one per entry: Redis spent more on running each small script
// than on the commands in it (bench/webhooks, INFO commandstats).
import RedisStore

extension WebhookQueueScripts {
    /// KEYS[1] due zset, KEYS[2] stream, KEYS[3] created zset, KEYS[4..] delivery records, one per (entry,
    /// subscription) pair in ARGV order. ARGV[1] group, ARGV[2] entry count, then per entry: entry id, event id, type, body,
    /// subscription count n, n subscription ids. Returns the number of deliveries created.
    static let fanoutBatch = RedisScript(name: "webhook_fanout_batch", source: """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local made, k, a = 0, 4, 3
        local ids = {}
        for _ = 1, tonumber(ARGV[2]) do
          local event, kind, body, n = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], tonumber(ARGV[a + 4])
          ids[#ids + 1] = ARGV[a]
          for j = 1, n do
            local sub = ARGV[a + 4 + j]
            if redis.call('EXISTS', KEYS[k]) == 0 then
              redis.call('HSET', KEYS[k], 'sub', sub, 'event_id', event, 'type', kind, 'body', body,
                         'attempts', 0, 'created_at', now, 'holder', '')
              redis.call('ZADD', KEYS[1], 'NX', now, sub .. '|' .. event)
              redis.call('ZADD', KEYS[3], 'NX', now, sub .. '|' .. event)
              made = made + 1
            end
            k = k + 1
          end
          a = a + 5 + n
        end
        for i = 1, #ids, 200 do
          redis.call('XACK', KEYS[2], ARGV[1], unpack(ids, i, math.min(i + 199, #ids)))
        end
        return made
        """)
}
