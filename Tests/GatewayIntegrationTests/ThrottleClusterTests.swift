// Support for the Throttle* integration tests: one private redis-server and N full GatewayNodes sharing
// it, on the REAL monotonic clock by default: the Redis reconnect backoff after an outage has to run.
// A test that must know the limits watcher's 1 s re-read did NOT run passes a ManualClock and leaves it
// standing (or moves it with `advance`). Tokens, raw requests and response helpers are NodeHarness's
// (RoomAuth, RoomHTTP, TestResponse.json/isProblem), `eventually` is GatewayTestSupport's.
import GatewayTestSupport
import Dispatch
import Foundation
import Glibc
import Reactor
@testable import RedisStore
import Testing
import Throttle
@testable import Gateway
import HTTPServer

/// The parent suite of every Throttle* integration test: serialized, so the refill counts and the
/// one-second bounds do not compete with each other for the two cores.
@Suite(.serialized) struct ThrottleIntegration {}

/// One Redis, N nodes, real clock.
final class ThrottleCluster: RedisBackedNodes, @unchecked Sendable {
    // @unchecked: used from the test's thread only; the nodes themselves are Sendable.
    let redis: EmbeddedRedis
    private(set) var nodes: [GatewayNode] = []
    let stateDir: String
    var stopped = false

    /// The nodes' clock when a test passed a ManualClock (nil: the real clock).
    let manualClock: ManualClock?

    init(nodes count: Int = 2, threads: Int = 2, clock: ManualClock? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        manualClock = clock
        stateDir = "/tmp/throttle-\(getpid())-\(UUID().uuidString.prefix(8))"
        redis = try EmbeddedRedis.start(stateDir: stateDir, mode: .tcpLoopback)
        do {
            for _ in 0..<count {
                var config = NodeHarness.config(redisURL: redis.url, threads: threads, stateDir: stateDir)
                configure(&config)
                nodes.append(try GatewayNode.start(config, clock: clock ?? MonotonicClock()))
            }
        } catch {
            stop()
            throw error
        }
        guard eventually(seconds: 10, { nodes.allSatisfy { $0.isReady } }) else {
            stop()
            throw HarnessError.notReady
        }
    }

    deinit { stop() }

    /// Moves the manual clock and wakes every loop of every node so timers due by then run.
    func advance(seconds: Double) {
        manualClock?.advance(by: UInt64(seconds * 1e9))
        for n in nodes { for l in n.server.group.loops { l.execute {} } }
    }

    // MARK: limits in force

    /// How many loops (over every node) have `expected` in force for `rc` right now, asked on each loop.
    func loopsWith(_ rc: RouteClass, _ expected: ClassLimits) -> Int {
        let agree = Counter()
        for n in nodes {
            for loop in n.server.group.loops {
                let done = DispatchSemaphore(value: 0)
                loop.execute {
                    if n.throttle.limiter(on: loop).limits[rc] == expected { agree.increment() }
                    done.signal()
                }
                _ = done.wait(timeout: .now() + 5)
            }
        }
        return agree.count
    }

    var loopCount: Int { nodes.reduce(0) { $0 + $1.server.group.loops.count } }

    /// True once every loop of every node enforces `expected` for `rc` (polled, bounded).
    func waitInForce(_ rc: RouteClass, _ expected: ClassLimits, seconds: Double = 3) -> Bool {
        eventually(seconds: seconds) { loopsWith(rc, expected) == loopCount }
    }

    // MARK: admin API, CLI, metrics, raw Redis

    static let json = [("Content-Type", "application/json")]

    func admin(_ i: Int = 0, method: String = "GET", body: String? = nil, token: String? = RoomAuth.system) throws -> TestResponse {
        var h: [(String, String)] = body == nil ? [] : Self.json
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        return try RoomHTTP.send(port(i), method: method, "/v1/admin/throttle", headers: h, body: body)
    }

    /// PUTs `body` through node `i` and waits until every loop has `expected` in force.
    func setLimits(_ body: String, _ rc: RouteClass, _ expected: ClassLimits, via i: Int = 0) throws {
        let r = try admin(i, method: "PUT", body: body)
        try #require(r.status == 200, "PUT \(body): \(r.status) \(r.text)")
        try #require(waitInForce(rc, expected), "limits not in force on every loop: \(body)")
    }

    /// `gateway throttle ARGS --redis <this cluster's Redis>`.
    func throttle(_ args: [String]) async throws(ConfigurationError) -> String {
        try await ThrottleCommand.run(arguments: args + ["--redis", redis.url], environment: [:])
    }

    /// A counter from node `i`'s /metrics, or nil when the line is missing.
    func metric(_ i: Int = 0, _ rc: RouteClass, _ outcome: String) throws -> Int? {
        let r = try RoomHTTP.send(port(i), "/metrics")
        let prefix = "gateway_throttle_decisions_total{class=\"\(rc.rawValue)\",outcome=\"\(outcome)\"} "
        guard r.status == 200, let line = r.text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Int(line.dropFirst(prefix.count))
    }

    /// Runs a Lua snippet that returns an integer (KEYS/ARGV empty) on the shared Redis, blocking.
    func redisInt(_ lua: String) -> Int? {
        guard let reply = BlockingRedis.roundTrip(redis.address.endpoint, RedisCommand(["EVAL", lua, "0"]), timeoutMillis: 2_000),
              reply.first == UInt8(ascii: ":") else { return nil }
        return Int(String(decoding: reply.dropFirst().prefix { $0 != 13 }, as: UTF8.self))
    }

    /// How many connections are subscribed to `channel` (PUBSUB NUMSUB), nil when unreadable.
    func subscribers(_ channel: String) -> Int? {
        guard let reply = BlockingRedis.roundTrip(redis.address.endpoint, RedisCommand(["PUBSUB", "NUMSUB", channel]), timeoutMillis: 2_000) else { return nil }
        // *2 $len channel :N — the integer is the last line.
        let lines = String(decoding: reply, as: UTF8.self).split(separator: "\r\n")
        guard lines.count == 4, let last = lines.last, last.hasPrefix(":") else { return nil }
        return Int(last.dropFirst())
    }

    /// Number of throttle bucket keys in Redis.
    var bucketKeyCount: Int? { redisInt("return #redis.call('KEYS', 'wg:tb:*')") }

    /// The limits hash's version (bumped by every accepted change), 0 when unset.
    var limitsVersion: Int? { redisInt("return tonumber(redis.call('HGET', 'wg:throttle:limits', 'version') or '0')") }
}

/// Requests of one client, on keep-alive connections.
final class ThrottleClient {
    let clients: [TestClient]
    private var next = 0

    init(ports: [UInt16], timeoutSeconds: Int = 5) throws {
        clients = try ports.map { try TestClient(port: $0, timeoutSeconds: timeoutSeconds) }
    }

    /// One GET state on the next connection (round robin).
    func state(_ webinar: String = "w1", token: String, etag: String? = nil, wait: String? = nil) throws -> TestResponse {
        let c = clients[next % clients.count]
        next += 1
        c.send(RoomHTTP.stateRequest(webinar, token: token, etag: etag, wait: wait))
        return try c.readResponse()
    }
}

/// The RateLimit header fields of an answer (IETF httpapi draft -11 form).
struct RateLimitView: Equatable, CustomStringConvertible {
    var policyName: String
    var quota: Int
    var window: Int
    var name: String
    var remaining: Int
    var fullIn: Int

    /// Parses `RateLimit-Policy: "NAME";q=Q;w=W` and `RateLimit: "NAME";r=R;t=T`; nil if either is
    /// missing or not exactly of that form.
    init?(_ r: TestResponse) {
        guard let p = r.header("ratelimit-policy"), let l = r.header("ratelimit"),
              let pp = Self.item(p, ["q", "w"]), let lp = Self.item(l, ["r", "t"]) else { return nil }
        policyName = pp.0; quota = pp.1[0]; window = pp.1[1]
        name = lp.0; remaining = lp.1[0]; fullIn = lp.1[1]
    }

    /// `"name";k1=int;k2=int` → (name, [v1, v2]).
    static func item(_ text: String, _ keys: [String]) -> (String, [Int])? {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == keys.count + 1, parts[0].count >= 2, parts[0].first == "\"", parts[0].last == "\"" else { return nil }
        var values: [Int] = []
        for (k, part) in zip(keys, parts.dropFirst()) {
            guard part.hasPrefix(k + "="), let v = Int(part.dropFirst(k.count + 1)), v >= 0 else { return nil }
            values.append(v)
        }
        return (String(parts[0].dropFirst().dropLast()), values)
    }

    var description: String { "\"\(policyName)\";q=\(quota);w=\(window) / \"\(name)\";r=\(remaining);t=\(fullIn)" }
}

/// Tokens for throttle tests: an attendee `sub`, with or without a session claim.
enum ThrottleAuth {
    static func attendee(_ sub: String, session: String? = nil) -> String {
        RoomAuth.token(.attendee, sub: sub, session: session)
    }
}
