// API: the webinar application on one loop, as the server core sees it (`HTTPApplication`): CORS
// (preflights answered before routing; an allowed origin's fields put on EVERY answer of its request,
// 304s and errors included), routing (404, 405 + Allow), the core's own failures as problem+json, and
// per-route metrics plus the optional access log when an answer goes out.
import HTTP1
import HTTPServer
import Reactor

/// The application of one loop. Loop thread only.
final class GatewayApplication: HTTPApplication {
    private let router: Router
    private let cors: CORSPolicy
    private let stats: LoopStats
    private let clock: any LoopClock
    private let accessLog: Bool
    private let trustedProxies: [CIDR]

    init(router: Router, cors: CORSPolicy, stats: LoopStats, clock: any LoopClock, accessLog: Bool, trustedProxies: [CIDR]) {
        self.router = router
        self.cors = cors
        self.stats = stats
        self.clock = clock
        self.accessLog = accessLog
        self.trustedProxies = trustedProxies
    }

    func handle(_ request: inout Request, _ responder: Responder) {
        if cors.isPreflight(request.head) {
            describe(responder, request, route: "unmatched", corsFields: [])  // the preflight carries its own CORS fields
            return responder.respond(cors.preflight(request.head))
        }
        let corsFields = cors.allowedOrigin(request.head).map(cors.headers(for:)) ?? []
        switch router.match(request.head.method, path: request.head.path) {
        case .found(let handler, let params, let label):
            describe(responder, request, route: label, corsFields: corsFields)
            request.pathParameters = params
            handler.handle(request, responder)
        case .methodNotAllowed(let allow):
            describe(responder, request, route: "unmatched", corsFields: corsFields)
            responder.fail(.methodNotAllowed(allow: allow))
        case .notFound:
            describe(responder, request, route: "unmatched", corsFields: corsFields)
            responder.fail(.notFound)
        }
    }

    /// Resolves the route's metrics slot once, at dispatch (not per answer).
    private func describe(_ responder: Responder, _ request: Request, route: String, corsFields: [(String, String)]) {
        let slot = stats.slot(route)
        let tag: AnyObject
        if accessLog {
            let client = ClientAddress.of(peer: request.peerAddress, forwardedFor: request.head.headers.values("x-forwarded-for"),
                                          trusted: trustedProxies)
            tag = AccessNote(slot: slot, route: route, method: request.head.method.rawValue, path: request.head.path,
                             client: client, peer: request.peerAddress)
        } else {
            tag = slot
        }
        responder.describe(tag: tag, fields: corsFields)
    }

    func failureResponse(_ failure: RequestFailure) -> HTTPResponse {
        switch failure {
        case .malformed(let error):
            return Problem(status: error.status, slug: "bad-request", title: error.title, closeConnection: true).response
        case .timedOut:
            return Problem.requestTimeout.response
        case .unencodable(let status):
            Log.error("refused to encode a response", [("status", String(status))])
            return Problem.internalError.response
        }
    }

    func answered(_ exchange: AnsweredExchange) {
        let seconds = Double(clock.nowNanos() &- exchange.startNanos) / 1e9
        let note = accessLog ? exchange.tag.map { unsafeDowncast($0, to: AccessNote.self) } : nil
        let slot: RouteSlot
        if let tag = exchange.tag {
            slot = note?.slot ?? unsafeDowncast(tag, to: RouteSlot.self)
        } else {
            switch exchange.failure {
            case .timedOut: slot = stats.slot("timeout")
            case .malformed, .unencodable, .none: slot = stats.slot("invalid")
            }
        }
        stats.request(slot, code: exchange.status, seconds: seconds)
        guard accessLog else { return }
        Log.info("request", [("method", note?.method ?? ""), ("path", note?.path ?? ""), ("route", note?.route ?? (exchange.failure.map(Self.label) ?? "")),
                             ("status", String(exchange.status)), ("ms", String(Int(seconds * 1000))), ("client", note?.client ?? ""),
                             ("peer", note?.peer ?? "")])
    }

    private static func label(_ failure: RequestFailure) -> String {
        if case .timedOut = failure { return "timeout" }
        return "invalid"
    }
}

/// What the access log says of one request, kept from dispatch to answer (only with `--access-log`).
final class AccessNote {
    let slot: RouteSlot
    let route: String
    let method: String
    let path: String
    let client: String
    let peer: String

    init(slot: RouteSlot, route: String, method: String, path: String, client: String, peer: String) {
        self.slot = slot
        self.route = route
        self.method = method
        self.path = path
        self.client = client
        self.peer = peer
    }
}
