// The webhook subscription admin API (contract §5; role system):
//   POST   /v1/admin/webhooks                    {"url", "events", "description"} → 201 the subscription + secret
//   GET    /v1/admin/webhooks                    → 200 {"webhooks": [...]} (no secrets)
//   GET    /v1/admin/webhooks/{id}               → 200 the subscription
//   PATCH  /v1/admin/webhooks/{id}               any of url, events, description, enabled → 200
//   DELETE /v1/admin/webhooks/{id}               → 204
//   POST   /v1/admin/webhooks/{id}/rotate-secret → 200 {"secret", "previous_valid_until"}
//   GET    /v1/admin/webhooks/{id}/dead          → 200 {"deliveries": [...]}
//   POST   /v1/admin/webhooks/{id}/replay        {} or {"event_id"} and/or {"from"} → 202 {"replayed": N}
// Bodies are checked completely before the store is called (415 not JSON, 422 naming the field), so a
// bad request changes nothing; an unknown id is 404. Answers carry `Cache-Control: no-store`.
import HTTP1
import HTTPServer
import RedisStore

/// One route of the webhook admin API.
public struct AdminWebhooksHandler: HTTPHandler {
    /// Which operation a route performs.
    public enum Action: Sendable, CaseIterable {
        case create, list, show, patch, delete, rotateSecret, dead, replay
    }

    let auth: Authorization
    let redis: RedisClient
    let action: Action
    /// `--webhook-allow-private`: plain http and private targets accepted.
    let allowPrivate: Bool
    let settings: WebhookSettings

    /// - Parameters:
    ///   - auth: the node's token check (system role required).
    ///   - redis: the node's client (a connection per loop).
    ///   - action: the route's operation.
    ///   - allowPrivate: `--webhook-allow-private`.
    ///   - settings: the webhook limits.
    public init(auth: Authorization, redis: RedisClient, action: Action, allowPrivate: Bool, settings: WebhookSettings = WebhookSettings()) {
        self.auth = auth
        self.redis = redis
        self.action = action
        self.allowPrivate = allowPrivate
        self.settings = settings
    }

    public func handle(_ request: Request, _ responder: Responder) {
        guard let claims = auth.claims(request, or: responder.fail) else { return }
        if let p = Authorization.authorize(claims, .admin, webinarID: nil, sessionID: nil) { return responder.fail(p) }
        let store = WebhookStore(connection: redis.connection(on: request.loop), settings: settings)
        let id = request.parameter("id") ?? ""
        func answer<T>(_ status: Int, _ render: @escaping (T) -> String) -> (Result<T, Problem>) -> Void {
            { result in
                switch result {
                case .failure(let p): responder.fail(p)
                case .success(let v): responder.respond(.json(status, render(v), headers: [("Cache-Control", "no-store")]))
                }
            }
        }
        func logged(_ what: String) { Log.info("webhook subscription " + what, [("sub", claims.sub), ("id", id)]) }
        switch action {
        case .list:
            store.list(answer(200, WebhookSubscription.listJSON))
        case .show:
            store.get(id, answer(200) { $0.json() })
        case .create:
            switch Self.input(request, .create, allowPrivate: allowPrivate, settings: settings) {
            case .failure(let p): responder.fail(p)
            case .success(let input):
                store.create(input, answer(201) { (s: WebhookSubscription) in
                    Log.info("webhook subscription created", [("sub", claims.sub), ("id", s.id)])
                    return s.json(showSecret: true)
                })
            }
        case .patch:
            switch Self.input(request, .patch, allowPrivate: allowPrivate, settings: settings) {
            case .failure(let p): responder.fail(p)
            case .success(let input): store.patch(id, input, answer(200) { logged("changed"); return $0.json() })
            }
        case .delete:
            store.delete(id) { result in
                switch result {
                case .failure(let p): responder.fail(p)
                case .success: logged("deleted"); responder.respond(HTTPResponse(status: 204, headers: [("Cache-Control", "no-store")]))
                }
            }
        case .rotateSecret:
            store.rotateSecret(id, answer(200) { logged("secret rotated"); return $0.rotationJSON })
        case .dead:
            store.dead(id, answer(200, WebhookDeadLetter.listJSON))
        case .replay:
            switch Self.replayTarget(request) {
            case .failure(let p): responder.fail(p)
            case .success(let target):
                store.replay(id, eventID: target.eventID, fromMillis: target.fromMillis,
                             answer(202) { logged("replayed"); return "{\"replayed\":\($0)}" })
            }
        }
    }

    /// A create or patch body, checked completely.
    static func input(_ request: Request, _ mode: WebhookSubscriptionInput.Mode, allowPrivate: Bool,
                      settings: WebhookSettings) -> Result<WebhookSubscriptionInput, Problem> {
        JSONBody.parse(request).flatMap { WebhookSubscriptionInput.parse($0.fields, mode: mode, allowPrivate: allowPrivate, settings: settings) }
    }

    /// A replay body: empty or `{}` (every dead delivery), `{"event_id": "..."}`, `{"from": ISO-8601}`
    /// (stored events from then on), or both members.
    static func replayTarget(_ request: Request) -> Result<(eventID: String?, fromMillis: Int64?), Problem> {
        if request.body.isEmpty, request.head.headers.first("content-type").map(JSONBody.isJSON) ?? true { return .success((nil, nil)) }
        return JSONBody.parse(request).flatMap { body in
            if body.fields.keys.contains(where: { $0 != "event_id" && $0 != "from" }) {
                return .failure(.invalidField("body", "unknown member; allowed: event_id, from"))
            }
            var event: String?
            if body.fields["event_id"] != nil {
                switch body.identifier("event_id") {
                case .failure(let p): return .failure(p)
                case .success(let e): event = e
                }
            }
            var from: Int64?
            switch body.fields["from"] {
            case nil: break
            case .string(let text)?:
                guard let ms = WallClock.millis(iso: text), ms >= 0 else {
                    return .failure(.invalidField("from", "an ISO-8601 UTC time such as 2026-12-04T10:00:00Z"))
                }
                from = ms
            case _?: return .failure(.invalidField("from", "an ISO-8601 UTC time such as 2026-12-04T10:00:00Z"))
            }
            return .success((event, from))
        }
    }
}
