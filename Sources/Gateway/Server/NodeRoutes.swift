// The node's routes (contract §2–§7 and the operational ones), wired in one place.
import HTTPServer
import RedisStore

enum NodeRoutes {
    /// What the handlers stand on.
    struct Parts {
        var health: NodeHealth
        var stats: NodeStats
        var longPoll: LongPollService
        var throttle: ThrottleService
        var redis: RedisClient
    }

    /// Every route of a node.
    /// - Throws: `ConfigurationError` for unusable JWT keys.
    static func router(_ configuration: ServerConfiguration, _ p: Parts) throws -> Router {
        var verifierSettings = JWTVerifier.Settings()
        verifierSettings.cacheCapacity = configuration.jwtCacheEntries
        let auth = Authorization(verifier: JWTVerifier(keys: try JWTKeySet(configuration.jwtKeys), settings: verifierSettings))
        var router = Router()
        router.add(.get, "/healthz", HealthHandler(), label: "healthz")
        router.add(.get, "/readyz", ReadyHandler(health: p.health), label: "readyz")
        router.add(.get, "/metrics", MetricsHandler(health: p.health, stats: p.stats, longPoll: p.longPoll, throttle: p.throttle, redis: p.redis), label: "metrics")
        router.add(.get, "/v1/webinars/{webinar_id}/state",
                   StateHandler(auth: auth, longPoll: p.longPoll, redis: p.redis, throttle: p.throttle, maxWaitSeconds: configuration.maxWaitSeconds),
                   label: "state")
        router.add(.post, "/v1/hooks/{hook}", HookHandler(auth: auth, redis: p.redis, throttle: p.throttle, events: configuration.events), label: "hooks")
        router.add(.post, "/v1/webinars/{webinar_id}/sessions/{session_id}/events",
                   FactHandler(auth: auth, redis: p.redis, throttle: p.throttle, settings: configuration.events, stats: p.stats), label: "events")
        let admin = AdminThrottleHandler(auth: auth, redis: p.redis)
        router.add(.get, "/v1/admin/throttle", admin, label: "admin_throttle")
        router.add(.put, "/v1/admin/throttle", admin, label: "admin_throttle")
        addWebhookAdmin(to: &router, auth: auth, redis: p.redis, webhook: configuration.webhook)
        return router
    }

    /// The webhook subscription admin API (contract §5), one route per operation.
    static func addWebhookAdmin(to router: inout Router, auth: Authorization, redis: RedisClient, webhook: WebhookNodeConfiguration) {
        func h(_ action: AdminWebhooksHandler.Action) -> AdminWebhooksHandler {
            AdminWebhooksHandler(auth: auth, redis: redis, action: action, allowPrivate: webhook.allowPrivate, settings: webhook.settings)
        }
        let label = "admin_webhooks"
        router.add(.post, "/v1/admin/webhooks", h(.create), label: label)
        router.add(.get, "/v1/admin/webhooks", h(.list), label: label)
        router.add(.get, "/v1/admin/webhooks/{id}", h(.show), label: label)
        router.add(.patch, "/v1/admin/webhooks/{id}", h(.patch), label: label)
        router.add(.delete, "/v1/admin/webhooks/{id}", h(.delete), label: label)
        router.add(.post, "/v1/admin/webhooks/{id}/rotate-secret", h(.rotateSecret), label: label)
        router.add(.get, "/v1/admin/webhooks/{id}/dead", h(.dead), label: label)
        router.add(.post, "/v1/admin/webhooks/{id}/replay", h(.replay), label: label)
    }
}
