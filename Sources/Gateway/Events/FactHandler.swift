// POST /v1/webinars/{webinar_id}/sessions/{session_id}/events (contract §4). Order: 404 (ids) → 401 →
// 403 (role, scope, own session) → 429 (events bucket) → 415/422 (body) → ONE emit script. Answers
// {"emitted": [hooks], "duplicate": bool}; a pure repeat is {"emitted": [], "duplicate": true}; a retry
// with the same Idempotency-Key gets the first answer again. Redis down → 503, nothing reported emitted.
import HTTPServer
import RedisStore
import Throttle

/// The client-facts route.
public struct FactHandler: HTTPHandler {
    let auth: Authorization
    let redis: RedisClient
    let throttle: ThrottleService
    let settings: EventSettings
    let stats: NodeStats?
    let environment: EventEnvironment

    /// Creates the route.
    /// - Parameters:
    ///   - auth: token verification and the role table.
    ///   - redis: where the emit script runs.
    ///   - throttle: the `events` bucket.
    ///   - settings: TTLs, stream length, form payload limit.
    ///   - stats: counters of emitted and duplicate events, if kept.
    ///   - environment: the clock and the id source that stamp events (`.system` in production).
    public init(auth: Authorization, redis: RedisClient, throttle: ThrottleService, settings: EventSettings, stats: NodeStats? = nil,
                environment: EventEnvironment = .system) {
        self.stats = stats
        self.environment = environment
        self.auth = auth
        self.redis = redis
        self.throttle = throttle
        self.settings = settings
    }

    public func handle(_ request: Request, _ responder: Responder) {
        guard let webinarID = request.parameter("webinar_id"), Identifier.isValid(webinarID),
              let sessionID = request.parameter("session_id"), Identifier.isValid(sessionID) else {
            return responder.fail(.notFound)
        }
        guard let claims = auth.claims(request, or: responder.fail) else { return }
        if let p = Authorization.authorize(claims, .clientFact, webinarID: webinarID, sessionID: sessionID) {
            return responder.fail(p)
        }
        let connection = redis.connection(on: request.loop)
        throttle.limiter(on: request.loop).check(.events, user: claims.sub, session: sessionID, on: connection) { outcome in
            guard outcome.passes else { return responder.fail(RateLimitFields.refusal(outcome)) }
            let rateHeaders = RateLimitFields.headers(outcome)
            let plan: FactPlan
            switch FactPlanner.plan(request, claims: claims, webinarID: webinarID, sessionID: sessionID,
                                     settings: settings, environment: environment) {
            case .failure(var p):
                p.headers += rateHeaders
                return responder.fail(p)
            case .success(let f): plan = f
            }
            connection.evalScript(EventScripts.emit, keys: plan.keys, args: [plan.planJSON]) { result in
                guard case .success(let reply) = result, let parts = reply.array, let code = parts.first?.integer else {
                    return responder.fail(.redisUnavailable)
                }
                let hooks = parts.dropFirst().compactMap(\.string)
                let duplicate = code == 0
                if let s = stats?.on(request.loop.index) {
                    if duplicate { s.data.eventDuplicates += 1 } else if code == 1 { s.data.eventsEmitted += hooks.count }
                }
                let body = "{\"emitted\":[" + hooks.map(JSONText.quoted).joined(separator: ",") + "],\"duplicate\":\(duplicate)}"
                responder.respond(.json(200, body, headers: rateHeaders))
            }
        }
    }
}
