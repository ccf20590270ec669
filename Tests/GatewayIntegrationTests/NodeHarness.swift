// A private redis-server plus one or more full GatewayNodes on 127.0.0.1 sharing one ManualClock,
// for the RoomState* integration tests. Deadlines move only when a test calls `advance`.
import GatewayTestSupport
import Dispatch
import Foundation
import Glibc
import Reactor
import RedisStore
import Testing
@testable import Gateway
import HTTPServer

enum HarnessError: Error { case notReady, badReply(String) }

/// Token minting for the tests (key `k1` / `secret`, as configured on every harness node).
enum RoomAuth {
    static let kid = "k1"
    static let secret = "secret"

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func token(_ role: Claims.Role, sub: String = "actor-1", webinar: String? = nil, session: String? = nil,
                      type: WebinarType = .live, exp: Int64? = nil, secret: String = RoomAuth.secret, kid: String = RoomAuth.kid) -> String {
        let claims = Claims(sub: sub, role: role, webinarID: webinar, sessionID: session, webinarType: type, exp: exp ?? now + 3600)
        return JWTSigner.sign(claims, kid: kid, secret: secret)
    }

    static var system: String { token(.system, sub: "core") }
    static var organizer: String { token(.organizer, sub: "org-1") }
}

/// What the test harnesses share: one private redis-server and the gateway nodes started on it.
protocol RedisBackedNodes: AnyObject {
    var redis: EmbeddedRedis { get }
    var nodes: [GatewayNode] { get }
    var stateDir: String { get }
    /// Set by `stop()` (stop runs once).
    var stopped: Bool { get set }
}

extension RedisBackedNodes {
    func port(_ i: Int = 0) -> UInt16 { nodes[i].server.port }

    /// Stops every node, then Redis, and removes the state directory (once).
    func stop() {
        guard !stopped else { return }
        stopped = true
        for n in nodes { n.server.stopNow() }
        redis.stop()
        _ = try? FileManager.default.removeItem(atPath: stateDir)
    }
}

/// One Redis, N nodes, one manual clock.
final class NodeHarness: RedisBackedNodes, @unchecked Sendable {
    // @unchecked: used from the test's thread only; the nodes themselves are Sendable.
    let redis: EmbeddedRedis
    let clock = ManualClock()
    private(set) var nodes: [GatewayNode] = []
    let stateDir: String
    var stopped = false

    /// A test node's settings: loopback port 0, the test JWT key, the shared Redis and state dir.
    static func config(redisURL: String, threads: Int, stateDir: String) -> ServerConfiguration {
        var config = ServerConfiguration()
        config.redisURL = redisURL
        config.listen = Socket.Address(host: "127.0.0.1", port: 0)
        config.threads = threads
        config.jwtKeys = [RoomAuth.kid: RoomAuth.secret]
        config.stateDir = stateDir
        return config
    }

    /// - Parameter throttle: keep the default rate limits (enforce). Off by default: these tests are about
    ///   room state, and many of them read the same room with one token far faster than 2/s.
    init(nodes count: Int = 1, threads: Int = 2, throttle: Bool = false, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        stateDir = "/tmp/roomstate-\(getpid())-\(UUID().uuidString.prefix(8))"
        redis = try EmbeddedRedis.start(stateDir: stateDir, mode: .tcpLoopback)
        do {
            for _ in 0..<count {
                var config = NodeHarness.config(redisURL: redis.url, threads: threads, stateDir: stateDir)
                configure(&config)
                nodes.append(try GatewayNode.start(config, clock: clock))
            }
        } catch {
            stop()
            throw error
        }
        guard waitReady() else {
            stop()
            throw HarnessError.notReady
        }
        if !throttle {
            do {
                try throttleOff()
            } catch {
                stop()
                throw error
            }
        }
    }

    /// Sets every route class to mode `off` through the admin API and waits until every node has it.
    func throttleOff() throws {
        let r = try RoomHTTP.send(port(), method: "PUT", "/v1/admin/throttle",
                                  headers: [("Authorization", "Bearer \(RoomAuth.system)"), ("Content-Type", "application/json")],
                                  body: "{\"state\":{\"mode\":\"off\"},\"events\":{\"mode\":\"off\"},\"hooks\":{\"mode\":\"off\"}}")
        guard r.status == 200 else { throw HarnessError.badReply("throttle off: \(r.status) \(r.text)") }
        let allOff = { self.nodes.allSatisfy { n in n.throttle.limits.classes.count == 3 && n.throttle.limits.classes.values.allSatisfy { $0.mode == .off } } }
        // Picked up through pub/sub at once, or by the periodic re-read (1 s of the manual clock).
        if eventually(seconds: 2, allOff) { return }
        advance(seconds: 1.1)
        guard eventually(seconds: 3, allOff) else { throw HarnessError.badReply("throttle limits not picked up") }
    }

    deinit { stop() }

    var node: GatewayNode { nodes[0] }

    /// Every node ready (Redis connections up, not draining), polling real time (bounded).
    func waitReady(seconds: Double = 10) -> Bool {
        eventually(seconds: seconds) { nodes.allSatisfy { $0.isReady } }
    }

    /// Moves the manual clock and makes every loop of every node run its due timers before returning.
    /// The Redis connections' command deadlines (2 s) run on the same clock: a reply still on its way
    /// when the clock jumps past its deadline would tear the connection down, and its reconnect backoff
    /// would then wait for the clock too. So time moves in steps of at most 0.5 s, each followed by a
    /// PING through every loop's connection (replies are in order: everything sent before it is answered).
    func advance(seconds: Double) {
        var left = seconds
        while left > 1e-9 {
            let step = min(left, 0.5)
            clock.advance(by: UInt64(step * 1e9))
            left -= step
            settle()
            barrier()
        }
    }

    /// Waits until every command sent so far on every loop's Redis connection has its reply.
    func barrier() {
        for n in nodes {
            for l in n.server.group.loops {
                let s = DispatchSemaphore(value: 0)
                l.execute { n.redis.connection(on: l).send(RedisCommand(["PING"])) { _ in s.signal() } }
                _ = s.wait(timeout: .now() + 5)
            }
        }
    }

    /// Runs one task on every loop and waits for it: timers due at the current clock have run by then.
    func settle() {
        for n in nodes {
            for l in n.server.group.loops {
                let s = DispatchSemaphore(value: 0)
                l.execute { s.signal() }
                _ = s.wait(timeout: .now() + 5)
            }
        }
    }

    func parked(_ i: Int = 0) -> Int { nodes[i].longPoll.parkedCount }
}

// MARK: HTTP helpers

enum RoomHTTP {
    static func raw(method: String = "GET", _ target: String, headers: [(String, String)] = [], body: String? = nil) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n"
        if let body { text += body }
        return text
    }

    /// One request on a fresh connection; returns its answer.
    static func send(_ port: UInt16, method: String = "GET", _ target: String, headers: [(String, String)] = [],
                     body: String? = nil, timeoutSeconds: Int = 5) throws -> TestResponse {
        let c = try TestClient(port: port, timeoutSeconds: timeoutSeconds)
        c.send(raw(method: method, target, headers: headers, body: body))
        return try c.readResponse(bodyless: method == "HEAD")
    }

    static func stateTarget(_ webinar: String, wait: String? = nil, session: String? = nil) -> String {
        var q: [String] = []
        if let session { q.append("session_id=\(session)") }
        if let wait { q.append("wait=\(wait)") }
        return "/v1/webinars/\(webinar)/state" + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))
    }

    static func stateRequest(_ webinar: String, token: String?, etag: String? = nil, wait: String? = nil,
                             session: String? = nil, extra: [(String, String)] = []) -> String {
        var h: [(String, String)] = []
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        if let etag { h.append(("If-None-Match", etag)) }
        return raw(stateTarget(webinar, wait: wait, session: session), headers: h + extra)
    }

    /// GET state now (no If-None-Match).
    static func state(_ port: UInt16, _ webinar: String, token: String = RoomAuth.system, session: String? = nil,
                      extra: [(String, String)] = []) throws -> TestResponse {
        let c = try TestClient(port: port)
        c.send(stateRequest(webinar, token: token, session: session, extra: extra))
        return try c.readResponse()
    }

    static func hook(_ port: UInt16, _ name: String, body: String, token: String?,
                     contentType: String? = "application/json", extra: [(String, String)] = []) throws -> TestResponse {
        var h: [(String, String)] = []
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        if let contentType { h.append(("Content-Type", contentType)) }
        return try send(port, method: "POST", "/v1/hooks/\(name)", headers: h + extra, body: body)
    }

    static func cta(_ port: UInt16, _ webinar: String, _ visible: Bool, token: String = RoomAuth.organizer) throws -> TestResponse {
        try hook(port, "core_webinar_set_cta_visibility", body: "{\"webinar_id\":\"\(webinar)\",\"visible\":\(visible)}", token: token)
    }

    static func status(_ port: UInt16, _ webinar: String, _ action: String, token: String = RoomAuth.system) throws -> TestResponse {
        try hook(port, "core_webinar_set_status", body: "{\"webinar_id\":\"\(webinar)\",\"status\":\"\(action)\"}", token: token)
    }
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    var isProblem: Bool { header("content-type") == "application/problem+json" }
}

/// The room as the state route shows it (for "nothing changed" checks).
struct RoomView: Equatable, CustomStringConvertible {
    var status: String
    var cta: Bool
    var version: Int
    var etag: String

    init(_ r: TestResponse) throws {
        let j = r.json
        guard r.status == 200, let s = j["status"] as? String, let c = j["cta_visibility"] as? Bool, let v = j["version"] as? Int,
              let e = r.header("etag") else {
            throw HarnessError.badReply("state read: \(r.status) \(r.text)")
        }
        status = s
        cta = c
        version = v
        etag = e
    }

    static func read(_ port: UInt16, _ webinar: String) throws -> RoomView {
        try RoomView(RoomHTTP.state(port, webinar))
    }

    var description: String { "\(status) cta=\(cta) v\(version) \(etag)" }
}

/// The one parent suite of every RoomState* test: serialized, so the 1,000-connection tests and the
/// one-second bounds do not compete with each other for the two cores.
@Suite(.serialized) struct RoomStateTests {}
