// /healthz: the process is alive. /readyz: Redis reachable and not draining (load balancers stop
// sending traffic on 503).
import HTTPServer

/// Liveness: always 200 while the loop answers.
public struct HealthHandler: HTTPHandler {
    static let ok = HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                                 body: .shared(SharedBody(Array("{\"status\":\"ok\"}".utf8))))
    public init() {}
    public func handle(_ request: Request, _ responder: Responder) {
        responder.respond(Self.ok)
    }
}

/// Readiness: 200 when Redis is up and the node is not draining, else 503 problem+json.
public struct ReadyHandler: HTTPHandler {
    let health: NodeHealth
    public init(health: NodeHealth) { self.health = health }
    public func handle(_ request: Request, _ responder: Responder) {
        if health.isRetiring {
            var p = Problem(status: 503, slug: "draining", title: "The node is draining")
            p.headers = [("Cache-Control", "no-store")]
            responder.fail(p)
        } else if !health.isReady {
            var p = Problem(status: 503, slug: "redis-unavailable", title: "Redis is not reachable")
            p.headers = [("Cache-Control", "no-store")]
            responder.fail(p)
        } else {
            responder.respond(.json(200, "{\"status\":\"ready\"}", headers: [("Cache-Control", "no-store")]))
        }
    }
}
