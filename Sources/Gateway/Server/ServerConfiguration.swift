// Every limit of a node is a named setting with its unit in its name. Defaults follow
// contract.md §8 and §9; `ConfigurationLoader` fills them from flags and GATEWAY_* variables.
import HTTP1
import HTTPServer
import Reactor

/// Settings of one gateway node.
public struct ServerConfiguration: Sendable {
    /// Where to listen (numeric IP and port).
    public var listen = Socket.Address(host: "127.0.0.1", port: 8080)
    /// Redis URL; nil starts the embedded redis-server.
    public var redisURL: String?
    /// Event-loop threads.
    public var threads: Int = 2
    /// HS256 keys by `kid`; secrets are raw UTF-8 strings.
    public var jwtKeys: [String: String] = [:]
    /// Verified tokens remembered (about 0.9 KB each). Measured at 10,000 users: a cache as large as the
    /// audience made the re-poll storm ~5% faster but added ~0.9 KB per parked poll; the storm's cost is
    /// the per-request Redis script, so the default stays small.
    public var jwtCacheEntries: Int = 4_096
    /// Longest long-poll wait a client may ask for.
    public var maxWaitSeconds: Double = 30
    /// Origins allowed to call from browsers (CORS).
    public var corsOrigins: [String] = []
    /// Where the embedded Redis keeps its files.
    public var stateDir: String = "./state"
    /// From the first byte of a request until its head is complete (408 after).
    public var headerTimeoutSeconds: Double = 10
    /// How long an idle keep-alive connection is kept.
    public var idleTimeoutSeconds: Double = 75
    /// Open connections per node; past it new ones are closed at accept.
    public var maxConnections: Int = 20_000
    /// How long SIGTERM waits for in-flight work before exiting.
    public var graceSeconds: Double = 10
    /// After SIGTERM, how long the node keeps serving with /readyz 503 before draining, so a load
    /// balancer's health check takes it out of rotation first.
    public var drainDelaySeconds: Double = 0
    /// Peers whose X-Forwarded-For is believed (load balancers).
    public var trustedProxies: [CIDR] = []
    /// Development mode: makes up a JWT key when none is configured.
    public var dev = false
    /// Request parsing limits (request line, header bytes and count, body bytes).
    public var httpLimits = HTTPLimits()
    /// Response bytes queued for one connection before it stops reading new requests (back-pressure).
    public var maxQueuedResponseBytes: Int = 256 * 1024
    /// Request bytes buffered for one connection while a response is outstanding.
    public var maxBufferedRequestBytes: Int = 96 * 1024
    /// Deadline for one Redis command.
    public var redisCommandTimeoutSeconds: Double = 2
    /// While Redis is unreachable, refuse throttled requests (503) instead of using local buckets.
    public var throttleFailClosed = false
    /// Key lifetimes (room, once-marks, idempotency answers, AutoWebinar records), stream length, form payload size.
    public var events = EventSettings()
    /// Attendance batch size, lease, polling and the finished job's lifetime.
    public var attendance = AttendanceSettings()
    /// Write one access-log line per request to stderr.
    public var accessLog = false
    /// Webhook delivery (contract §5, §9).
    public var webhook = WebhookNodeConfiguration()

    public init() {}

    /// The server core's share of these settings.
    public var httpServer: HTTPServerConfiguration {
        var c = HTTPServerConfiguration()
        c.listen = listen
        c.headerTimeoutSeconds = headerTimeoutSeconds
        c.idleTimeoutSeconds = idleTimeoutSeconds
        c.maxConnections = maxConnections
        c.httpLimits = httpLimits
        c.maxQueuedResponseBytes = maxQueuedResponseBytes
        c.maxBufferedRequestBytes = maxBufferedRequestBytes
        return c
    }
}
