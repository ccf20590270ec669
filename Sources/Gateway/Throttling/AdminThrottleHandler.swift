// GET/PUT /v1/admin/throttle (role system): read the limits in force, or change them. A PUT body is
// `{"state": {"rate": 5, "burst": 20, "mode": "shadow"}, ...}`; any of rate/burst/mode may be left out.
// Every value is validated first; one bad value refuses the whole request (422) and nothing changes.
import HTTPServer
import RedisStore
import Throttle

/// The throttle admin API.
public struct AdminThrottleHandler: HTTPHandler {
    let auth: Authorization
    let redis: RedisClient

    public init(auth: Authorization, redis: RedisClient) {
        self.auth = auth
        self.redis = redis
    }

    public func handle(_ request: Request, _ responder: Responder) {
        guard let claims = auth.claims(request, or: responder.fail) else { return }
        if let p = Authorization.authorize(claims, .admin, webinarID: nil, sessionID: nil) { return responder.fail(p) }
        let connection = redis.connection(on: request.loop)
        connection.send(RedisCommand(["HGETALL", ThrottleKeys.limits])) { result in
            guard case .success(let reply) = result, !reply.isError else { return responder.fail(.redisUnavailable) }
            let current = LimitsCodec.decode(reply)
            guard request.head.method == .put else {
                return responder.respond(.json(200, LimitsCodec.json(current), headers: [("Cache-Control", "no-store")]))
            }
            let next: ThrottleLimits
            switch Self.parseChange(request, current: current) {
            case .failure(let p): return responder.fail(p)
            case .success(let n): next = n
            }
            // Write only the classes this request changes: rewriting the others with the values read above
            // would undo a change another operator made to them in the meantime (lost update).
            let changed = next.classes.filter { current[$0.key] != $0.value }
            guard !changed.isEmpty else {
                return responder.respond(.json(200, LimitsCodec.json(next), headers: [("Cache-Control", "no-store")]))
            }
            connection.evalScript(LimitsCodec.setScript, keys: [ThrottleKeys.limits],
                                  args: [ThrottleKeys.limitsChannel] + LimitsCodec.fields(changed)) { result in
                guard case .success(let r) = result, !r.isError else { return responder.fail(.redisUnavailable) }
                Log.info("throttle limits changed", [("sub", claims.sub), ("limits", LimitsCodec.json(next))])
                responder.respond(.json(200, LimitsCodec.json(next), headers: [("Cache-Control", "no-store")]))
            }
        }
    }

    /// Validates the whole body against `current`; all or nothing.
    static func parseChange(_ request: Request, current: ThrottleLimits) -> Result<ThrottleLimits, Problem> {
        let body: JSONBody
        switch JSONBody.parse(request) {
        case .failure(let p): return .failure(p)
        case .success(let b): body = b
        }
        guard !body.fields.isEmpty else { return .failure(.invalidField("body", "name at least one class: state, events, hooks")) }
        var next = current
        for (name, value) in body.fields {
            // Field names are echoed only once validated (Problem: never raw client input).
            guard let rc = RouteClass(rawValue: name) else { return .failure(.invalidField("body", "unknown route class (state, events, hooks)")) }
            guard case .object(let o) = value, !o.isEmpty else { return .failure(.invalidField(name, "must be an object with rate, burst and/or mode")) }
            var change = LimitsChange()
            for (k, v) in o {
                switch (k, v) {
                case ("rate", .number(let n)): change.rate = n
                case ("burst", .number(let n)): change.burst = n
                case ("mode", .string(let m)):
                    guard let mode = ThrottleMode(rawValue: m) else { return .failure(.invalidField("\(name).mode", "one of enforce, shadow, off")) }
                    change.mode = mode
                default:
                    let field = ["rate", "burst", "mode"].contains(k) ? "\(name).\(k)" : name
                    return .failure(.invalidField(field, "rate and burst are numbers, mode is enforce|shadow|off"))
                }
            }
            switch change.applied(to: next[rc]) {
            case .failure(let e): return .failure(.invalidField(name, e.description))
            case .success(let l): next.classes[rc] = l
            }
        }
        return .success(next)
    }
}
