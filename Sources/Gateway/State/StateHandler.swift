// GET /v1/webinars/{webinar_id}/state[?session_id=S&wait=N] (contract §2): auth, one Redis read, then
// 200 at once when the client's ETag is stale or absent, 304 at once for wait=0, or park until a change
// (200) or the deadline (304). Deadlines get up to `jitterFraction` (max 1 s) taken off so a room's
// clients do not all re-poll in the same millisecond.
import HTTPServer
import Reactor
import RedisStore
import Throttle

/// The room-state route.
public struct StateHandler: HTTPHandler {
    let auth: Authorization
    let longPoll: LongPollService
    let redis: RedisClient
    let throttle: ThrottleService
    /// Longest wait a client may ask for, seconds.
    let maxWaitSeconds: Double
    /// Share of the wait randomly taken off the deadline (at most `maxJitterSeconds`).
    let jitterFraction = 0.1
    let maxJitterSeconds = 1.0

    public init(auth: Authorization, longPoll: LongPollService, redis: RedisClient, throttle: ThrottleService, maxWaitSeconds: Double) {
        self.auth = auth
        self.throttle = throttle
        self.longPoll = longPoll
        self.redis = redis
        self.maxWaitSeconds = maxWaitSeconds
    }

    public func handle(_ request: Request, _ responder: Responder) {
        // Contract §2: Cache-Control: no-store on every answer of this route, errors included.
        func fail(_ problem: Problem) {
            var p = problem
            p.headers.append(("Cache-Control", "no-store"))
            responder.fail(p)
        }
        guard let webinarID = request.parameter("webinar_id"), Identifier.isValid(webinarID) else {
            return fail(.notFound)
        }
        guard let claims = auth.claims(request, or: fail) else { return }
        let explicitSession = request.query("session_id")
        if let s = explicitSession, !Identifier.isValid(s) {
            return fail(.invalidParameter("session_id", "must be 1-128 characters of [A-Za-z0-9._:-]"))
        }
        if let p = Authorization.authorize(claims, .readState, webinarID: webinarID, sessionID: explicitSession) {
            return fail(p)
        }
        let wait: WaitRequest
        switch WaitRequest.parse(request, cap: maxWaitSeconds) {
        case .failure(let p): return fail(p)
        case .success(let w): wait = w
        }
        let sessionID = explicitSession ?? claims.sessionID
        let ifNoneMatch = request.head.headers.first("if-none-match")
        let loop = request.loop
        let limiter = throttle.limiter(on: loop)
        let bucketKeys = limiter.keys(.state, user: claims.sub, session: sessionID)
        let throttled = limiter.limits[.state].mode != .off
        let throttleArgs = throttled ? StateReader.Throttle(keys: bucketKeys, args: limiter.arguments(.state)) : nil
        StateReader.read(redis.connection(on: loop), webinarID: webinarID, sessionID: sessionID, fallbackType: claims.webinarType,
                         throttle: throttleArgs) { result in
            guard case .success(let (view, throttleReply)) = result else {
                if throttled { _ = limiter.storeFailed(.state, keys: bucketKeys) }
                return fail(.redisUnavailable)
            }
            let outcome = throttleReply.map { limiter.decide(.state, fields: $0) } ?? limiter.disabled(.state)
            guard outcome.passes else { return fail(RateLimitFields.refusal(outcome)) }
            var extra = RateLimitFields.headers(outcome)
            if let applied = wait.preferenceApplied { extra.append(("Preference-Applied", "wait=\(applied)")) }
            guard let inm = ifNoneMatch, ETagMatch.matches(inm, view.etag) else {
                return responder.respond(StateResponses.ok(view, extra: extra))
            }
            guard wait.seconds > 0, !responder.isFinished else {
                return responder.respond(StateResponses.notModified(etag: view.etag, extra: extra))
            }
            let jitter = min(wait.seconds * jitterFraction, maxJitterSeconds) * Double.random(in: 0..<1)
            let deadline = loop.now &+ nanos(seconds: wait.seconds - jitter)
            longPoll.registry(on: loop).park(Waiter(responder: responder, view: view, extraHeaders: extra), deadline: deadline)
        }
    }
}

/// If-None-Match evaluation (RFC 9110 §13.1.2: weak comparison; `*` matches any current representation).
enum ETagMatch {
    static func matches(_ header: String, _ etag: String) -> Bool {
        let bare = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        for part in header.split(separator: ",") {
            var tag = part.trimmingSpaces
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == bare { return true }
        }
        return false
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
