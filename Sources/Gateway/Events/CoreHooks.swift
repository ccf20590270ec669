// Inbound Core facts for AutoWebinar (contract §3): `core_user_registered`, `core_user_login`,
// `core_ref_context_resolved` with {event_id, user_id, ref_id, timestamp}; system role only.
// Deduplicated by event_id. The first registered/ref_context for a (user_id, ref_id) creates that
// user's AutoWebinar session and emits `autowebinar_session_created` once; login records the login.
// One script: dedup mark, session record and stream append together.
import HTTPServer
import RedisStore

enum CoreHooks {
    static let names: Set<String> = ["core_user_registered", "core_user_login", "core_ref_context_resolved"]

    /// KEYS: 1 event dedup mark, 2 AutoWebinar session hash, 3 stream. ARGV[1] JSON plan.
    /// Returns {0} duplicate event, {1} applied, {1, "autowebinar_session_created"} applied and emitted.
    /// Lives (seconds, from the plan): the dedup mark `ttl` (the once-mark TTL), the AutoWebinar record
    /// `aw_ttl`, refreshed by each write to it (creation, login).
    static let script = RedisScript(name: "core_inbound", source: """
        local p = cjson.decode(ARGV[1])
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', p.ttl) then return {0} end
        if p.hook == 'core_user_login' then
          redis.call('HSET', KEYS[2], 'user_id', p.user, 'ref_id', p.ref, 'last_login_at', p.ts)
          redis.call('EXPIRE', KEYS[2], p.aw_ttl)
          return {1}
        end
        if redis.call('HSETNX', KEYS[2], 'created_at', p.now) == 0 then return {1} end
        redis.call('HSET', KEYS[2], 'user_id', p.user, 'ref_id', p.ref, 'created_by', p.hook)
        redis.call('EXPIRE', KEYS[2], p.aw_ttl)
        local payload = cjson.encode({event_id = p.id, user_id = p.user, ref_id = p.ref, timestamp = p.now})
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', p.maxlen, '*', 'event_id', p.id, 'hook', 'autowebinar_session_created', 'payload', payload, 'emitted_at', p.now)
        return {1, 'autowebinar_session_created'}
        """)

    /// Validates and applies one inbound Core fact.
    /// - Parameter environment: the clock and the id source that stamp `autowebinar_session_created`.
    static func apply(hook: String, request: Request, connection: RedisConnection, settings: EventSettings,
                      rateHeaders: [(String, String)], environment: EventEnvironment = .system, _ responder: Responder) {
        func fail(_ problem: Problem) {
            var p = problem
            p.headers += rateHeaders
            responder.fail(p)
        }
        let body: JSONBody
        switch JSONBody.parse(request) {
        case .failure(let p): return fail(p)
        case .success(let b): body = b
        }
        var ids: [String: String] = [:]
        for field in ["event_id", "user_id", "ref_id"] {
            switch body.identifier(field) {
            case .failure(let p): return fail(p)
            case .success(let v): ids[field] = v
            }
        }
        guard let ts = body.fields["timestamp"]?.stringValue, ISOTime.isValid(ts) else {
            return fail(.invalidField("timestamp", "required ISO-8601 UTC time ending in Z, e.g. 2026-11-29T10:15:30.123Z"))
        }
        let event = ids["event_id"] ?? "", user = ids["user_id"] ?? "", ref = ids["ref_id"] ?? ""
        var plan = "{\"ttl\":\(settings.onceMarkTTLSeconds),\"aw_ttl\":\(settings.autoSessionTTLSeconds),\"maxlen\":\(settings.streamMaxLength),\"hook\":\(JSONText.quoted(hook))"
        plan += ",\"user\":\(JSONText.quoted(user)),\"ref\":\(JSONText.quoted(ref)),\"ts\":\(JSONText.quoted(ts))"
        plan += ",\"now\":\(JSONText.quoted(environment.now())),\"id\":\(JSONText.quoted(environment.newEventID()))}"
        let keys = [EventKeys.coreEvent(event), EventKeys.autoSession(user: user, ref: ref), EventKeys.stream]
        connection.evalScript(script, keys: keys, args: [plan]) { result in
            guard case .success(let reply) = result, let parts = reply.array, let code = parts.first?.integer else {
                return fail(.redisUnavailable)
            }
            let emitted = parts.dropFirst().compactMap(\.string)
            let text = "{\"applied\":\(code == 1),\"emitted\":[" + emitted.map(JSONText.quoted).joined(separator: ",") + "],\"duplicate\":\(code == 0)}"
            responder.respond(.json(200, text, headers: rateHeaders))
        }
    }
}

/// ISO-8601 UTC times as the contract writes them: `2026-11-29T10:15:30Z` or with `.123` fraction.
enum ISOTime {
    static func isValid(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 20 || (b.count >= 22 && b.count <= 30 && b[19] == UInt8(ascii: ".")), b.last == UInt8(ascii: "Z") else { return false }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard b[i] >= 48 && b[i] <= 57 else { return nil }; v = v * 10 + Int(b[i] - 48) }
            return v
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let y = digits(0..<4), let mo = digits(5..<7), let d = digits(8..<10), let h = digits(11..<13), let mi = digits(14..<16), let se = digits(17..<19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return false }
        // The day must exist in that month (no 2026-02-30, 2026-04-31, 2025-02-29).
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        guard d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] else { return false }
        if b.count > 20 { return digits(20..<(b.count - 1)) != nil }
        return true
    }
}
