// Limits as stored in Redis: hash `wg:throttle:limits` with fields `<class>.rate`, `<class>.burst`,
// `<class>.mode` (unset fields take the defaults). A change is written by ONE script that sets every
// field of it, bumps `version` and publishes on `wg:throttle:changed`, so nodes see all or nothing.
import RedisStore

/// Reading and writing throttle limits in Redis.
public enum LimitsCodec {
    /// Decodes an HGETALL reply (flat field/value array) over the defaults.
    public static func decode(_ reply: RedisReply) -> ThrottleLimits {
        var limits = ThrottleLimits.defaults
        let f = reply.array ?? []
        var i = 0
        while i + 1 < f.count {
            defer { i += 2 }
            guard let key = f[i].string, let value = f[i + 1].string else { continue }
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let rc = RouteClass(rawValue: parts[0]) else { continue }
            var l = limits[rc]
            switch parts[1] {
            case "rate": if let v = Double(value) { l.rate = v }
            case "burst": if let v = Double(value) { l.burst = v }
            case "mode": if let m = ThrottleMode(rawValue: value) { l.mode = m }
            default: continue
            }
            // A stored value that fails validation (written by hand) keeps the previous good one.
            if l.problem == nil { limits.classes[rc] = l }
        }
        return limits
    }

    /// The HSET arguments for `limits` of the given classes.
    public static func fields(_ limits: [RouteClass: ClassLimits]) -> [String] {
        var out: [String] = []
        for (rc, l) in limits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out += ["\(rc.rawValue).rate", String(l.rate), "\(rc.rawValue).burst", String(TokenBucket.seconds(l.burst)), "\(rc.rawValue).mode", l.mode.rawValue]
        }
        return out
    }

    /// Writes fields atomically, bumps the version, publishes the change. KEYS[1] limits hash;
    /// ARGV[1] channel, ARGV[2...] field/value pairs. Returns the new version.
    public static let setScript = RedisScript(name: "throttle_limits_set", source: """
        local args = {}
        for i = 2, #ARGV do args[#args + 1] = ARGV[i] end
        redis.call('HSET', KEYS[1], unpack(args))
        local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
        redis.call('PUBLISH', ARGV[1], tostring(v))
        return v
        """)

    /// JSON text of the limits: `{"state":{"rate":2,"burst":30,"mode":"enforce"},...}`.
    public static func json(_ limits: ThrottleLimits) -> String {
        "{" + RouteClass.allCases.map { rc in
            let l = limits[rc]
            let rate = l.rate == l.rate.rounded() && l.rate < 1e12 ? String(TokenBucket.seconds(l.rate)) : String(l.rate)
            return "\"\(rc.rawValue)\":{\"rate\":\(rate),\"burst\":\(TokenBucket.seconds(l.burst)),\"mode\":\"\(l.mode.rawValue)\"}"
        }.joined(separator: ",") + "}"
    }
}
