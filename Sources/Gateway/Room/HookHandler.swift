// POST /v1/hooks/{hook} for the room hooks (contract §3): `core_webinar_set_status` and
// `core_webinar_set_cta_visibility`. Order: 401 (token) → 404 (unknown hook) → 415/422 (body) →
// 403 (role, scope) → ONE script that checks, applies, bumps the version and publishes the wake.
// Answers `{"applied", "status", "cta_visibility", "version"}`; an illegal move is 409.
import HTTPServer
import RedisStore
import Throttle

/// The room hooks.
public struct HookHandler: HTTPHandler {
    let auth: Authorization
    let redis: RedisClient
    let throttle: ThrottleService
    let events: EventSettings

    public init(auth: Authorization, redis: RedisClient, throttle: ThrottleService, events: EventSettings = EventSettings()) {
        self.auth = auth
        self.redis = redis
        self.throttle = throttle
        self.events = events
    }

    public func handle(_ request: Request, _ responder: Responder) {
        guard let claims = auth.claims(request, or: responder.fail) else { return }
        let connection = redis.connection(on: request.loop)
        throttle.limiter(on: request.loop).check(.hooks, user: claims.sub, session: nil, on: connection) { outcome in
            guard outcome.passes else { return responder.fail(RateLimitFields.refusal(outcome)) }
            let rateHeaders = RateLimitFields.headers(outcome)
            let hook = request.parameter("hook") ?? ""
            if CoreHooks.names.contains(hook) {
                if var p = Authorization.authorize(claims, .coreInbound, webinarID: nil, sessionID: nil) {
                    p.headers += rateHeaders
                    return responder.fail(p)
                }
                return CoreHooks.apply(hook: hook, request: request, connection: connection, settings: events, rateHeaders: rateHeaders, responder)
            }
            Self.apply(request, responder, claims, connection, rateHeaders, roomTTLSeconds: self.events.roomTTLSeconds)
        }
    }

    static func apply(_ request: Request, _ responder: Responder, _ claims: Claims, _ connection: RedisConnection, _ rateHeaders: [(String, String)],
                      roomTTLSeconds: Int) {
        // Every answer of a throttled route carries the RateLimit fields, errors included.
        func fail(_ problem: Problem) {
            var p = problem
            p.headers += rateHeaders
            responder.fail(p)
        }
        let hook = request.parameter("hook") ?? ""
        guard hook == "core_webinar_set_status" || hook == "core_webinar_set_cta_visibility" else {
            return fail(Problem(status: 404, slug: "unknown-hook", title: "No such hook"))
        }
        let call: RoomCall
        switch RoomCall.parse(hook: hook, request: request) {
        case .failure(let p): return fail(p)
        case .success(let c): call = c
        }
        if let p = Authorization.authorize(claims, call.action, webinarID: call.webinarID, sessionID: nil) {
            return fail(p)
        }
        let keys = RoomKeys(call.webinarID)
        let script = call.visible == nil ? RoomScripts.setStatus : RoomScripts.setCTA
        let arg = call.status ?? (call.visible == true ? "1" : "0")
        let scriptKeys = call.visible == nil ? [keys.room, keys.attendanceJob, AttendanceKeys.pending, keys.leads, keys.entered] : [keys.room]
        let args = [arg, claims.webinarType.rawValue, keys.wakeChannel, call.webinarID, String(roomTTLSeconds)]
        connection.evalScript(script, keys: scriptKeys, args: args) { result in
            guard case .success(let reply) = result, let f = reply.array, f.count == 4,
                  let code = f[0].integer, let status = f[1].string, let cta = f[2].integer, let version = f[3].integer else {
                return fail(.redisUnavailable)
            }
            if code < 0 {
                return fail(Problem(status: 409, slug: "illegal-transition", title: "The webinar cannot make this change from its current status",
                                              detail: "status is \(status)"))
            }
            Log.info("hook applied", [("hook", hook), ("webinar_id", call.webinarID), ("sub", claims.sub), ("applied", String(code == 1)),
                                      ("version", String(version)), ("context", call.context ?? "null")])
            responder.respond(.json(200, "{\"applied\":\(code == 1),\"status\":\"\(status)\",\"cta_visibility\":\(cta == 1),\"version\":\(version)}",
                                    headers: rateHeaders))
        }
    }
}

/// A validated room hook call.
struct RoomCall {
    var webinarID: String
    var status: String?
    var visible: Bool?
    var context: String?
    var action: Authorization.Action

    static func parse(hook: String, request: Request) -> Result<RoomCall, Problem> {
        let body: JSONBody
        switch JSONBody.parse(request) {
        case .failure(let p): return .failure(p)
        case .success(let b): body = b
        }
        let webinarID: String
        switch body.identifier("webinar_id") {
        case .failure(let p): return .failure(p)
        case .success(let w): webinarID = w
        }
        let context: String?
        switch body.context() {
        case .failure(let p): return .failure(p)
        case .success(let c): context = c
        }
        if hook == "core_webinar_set_status" {
            switch body.oneOf("status", StatusAction.allCases.map(\.rawValue)) {
            case .failure(let p): return .failure(p)
            case .success(let s):
                let isInternal = StatusAction(rawValue: s)?.isInternal ?? true
                return .success(RoomCall(webinarID: webinarID, status: s, visible: nil, context: context,
                                         action: isInternal ? .setStatusInternal : .setStatusStartStop))
            }
        }
        switch body.bool("visible") {
        case .failure(let p): return .failure(p)
        case .success(let v): return .success(RoomCall(webinarID: webinarID, status: nil, visible: v, context: context, action: .setCTA))
        }
    }
}
