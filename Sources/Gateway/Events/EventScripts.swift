// The event scripts. Each fact is ONE script: the once-mark, the session record and its version, the
// appends to the stream and the session wake happen together or not at all, so a retry after a crash
// or a race between nodes can neither lose an emitted event nor emit it twice.
import RedisStore

/// Lua for participation facts and the attendance batch.
enum EventScripts {
    /// KEYS: 1 once-mark ("" none), 2 session hash, 3 stream, 4 leads set (""), 5 entered set (""),
    /// 6 attendance mark (""), 7 idempotency key (""). ARGV[1]: JSON plan (see `FactPlan.planJSON`).
    /// Returns {1, hooks...} emitted, {0} duplicate, {2, hooks...} idempotent replay of a first answer.
    /// Lives (seconds, from the plan): once-marks `ttl`; the session record and the leads/entered sets
    /// `room_ttl`, refreshed when this fact changes them; the idempotency answer `idem_ttl`.
    static let emit = RedisScript(name: "fact_emit", source: """
        local p = cjson.decode(ARGV[1])
        if KEYS[7] ~= '' then
          local prior = redis.call('GET', KEYS[7])
          if prior then
            local out = {2}
            for h in string.gmatch(prior, '[^,]+') do out[#out + 1] = h end
            return out
          end
        end
        if p.progress then
          local cur = tonumber(redis.call('HGET', KEYS[2], 'progress') or '0')
          if p.progress <= cur then return {0} end
        elseif KEYS[1] ~= '' then
          if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', p.ttl) then return {0} end
        end
        local changed = false
        for _, fv in ipairs(p.set_once) do
          if redis.call('HSETNX', KEYS[2], fv[1], fv[2]) == 1 then changed = true end
        end
        if p.progress then
          redis.call('HSET', KEYS[2], 'progress', p.progress)
          changed = true
        end
        if changed then
          redis.call('HINCRBY', KEYS[2], 'v', 1)
          redis.call('EXPIRE', KEYS[2], p.room_ttl)
        end
        if KEYS[4] ~= '' and redis.call('SADD', KEYS[4], p.lead) == 1 then redis.call('EXPIRE', KEYS[4], p.room_ttl) end
        if KEYS[5] ~= '' and redis.call('SADD', KEYS[5], p.lead) == 1 then redis.call('EXPIRE', KEYS[5], p.room_ttl) end
        local out = {1}
        for _, e in ipairs(p.events) do
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', p.maxlen, '*', 'event_id', e[1], 'hook', e[2], 'payload', e[3], 'emitted_at', p.now)
          out[#out + 1] = e[2]
        end
        if KEYS[6] ~= '' and redis.call('SET', KEYS[6], '1', 'NX', 'EX', p.ttl) then
          local attended = redis.call('HEXISTS', KEYS[2], 'joined_at') == 1
          local a = p.attendance
          local base = {lead_id = p.lead, webinar_id = a.webinar_id, attended = attended, timestamp = p.now}
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', p.maxlen, '*', 'event_id', a.ids[1], 'hook', 'client_webinar_attendance_classified', 'payload', cjson.encode(base), 'emitted_at', p.now)
          base.route = attended and 'attended' or 'not_attended'
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', p.maxlen, '*', 'event_id', a.ids[2], 'hook', 'post_webinar_route', 'payload', cjson.encode(base), 'emitted_at', p.now)
          out[#out + 1] = 'client_webinar_attendance_classified'
          out[#out + 1] = 'post_webinar_route'
        end
        if KEYS[7] ~= '' then
          local hooks = {}
          for i = 2, #out do hooks[#hooks + 1] = out[i] end
          redis.call('SET', KEYS[7], table.concat(hooks, ','), 'EX', p.idem_ttl)
        end
        if changed then redis.call('PUBLISH', p.channel, 's:' .. p.session_id) end
        return out
        """)
}
