// Support for the Events* integration tests (contract §4/§5): tokens with lead/user/ref claims, the
// client-facts and Core-hook requests, a blocking reader of the `wg:events` stream, an independent
// JSON value type for payload checks, and `EventsCluster` (real clock, nodes added and killed one at
// a time, optional Redis arguments) for the attendance fail-over and the Redis outage tests.
// The ManualClock nodes, plain requests and `eventually` are NodeHarness's / TestServer's.
import Dispatch
import Foundation
import GatewayTestSupport
import Glibc
import Reactor
import RedisStore
import Synchronization
import Testing
@testable import Gateway
import HTTPServer

/// The one parent suite of every Events* test: serialized (200-socket bursts, a 20,000-lead batch).
@Suite(.serialized) struct EventsTests {}

// MARK: tokens and requests

enum EventsAuth {
    static func token(_ role: Claims.Role, sub: String = "actor-ev", webinar: String? = nil, session: String? = nil,
                      lead: String? = nil, user: String? = nil, ref: String? = nil, type: WebinarType = .live) -> String {
        let claims = Claims(sub: sub, role: role, webinarID: webinar, sessionID: session, leadID: lead, userID: user, refID: ref,
                            webinarType: type, exp: RoomAuth.now + 3600)
        return JWTSigner.sign(claims, kid: RoomAuth.kid, secret: RoomAuth.secret)
    }

    /// A live-webinar attendee acting for its own session and lead.
    static func attendee(session: String?, lead: String?, sub: String = "att-ev") -> String {
        token(.attendee, sub: sub, session: session, lead: lead)
    }

    /// An AutoWebinar attendee (webinar_type auto, user_id and ref_id claims).
    static func auto(session: String, lead: String, user: String, ref: String, sub: String = "auto-ev") -> String {
        token(.attendee, sub: sub, session: session, lead: lead, user: user, ref: ref, type: .auto)
    }
}

enum EventsHTTP {
    static func target(_ webinar: String, _ session: String) -> String { "/v1/webinars/\(webinar)/sessions/\(session)/events" }

    /// The raw request of one client fact (for many-socket bursts).
    static func factRequest(_ webinar: String, _ session: String, body: String, token: String?, extra: [(String, String)] = []) -> String {
        var h: [(String, String)] = [("Content-Type", "application/json")]
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        return RoomHTTP.raw(method: "POST", target(webinar, session), headers: h + extra, body: body)
    }

    /// One client fact on a fresh connection.
    static func fact(_ port: UInt16, _ webinar: String, _ session: String, body: String, token: String?,
                     extra: [(String, String)] = []) throws -> TestResponse {
        var h: [(String, String)] = [("Content-Type", "application/json")]
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        return try RoomHTTP.send(port, method: "POST", target(webinar, session), headers: h + extra, body: body)
    }

    /// `core_user_registered` / `core_user_login` / `core_ref_context_resolved`.
    static func core(_ port: UInt16, _ hook: String, event: String, user: String, ref: String,
                     timestamp: String = "2026-11-29T10:15:30.123Z", token: String = RoomAuth.system) throws -> TestResponse {
        try RoomHTTP.hook(port, hook, body: "{\"event_id\":\"\(event)\",\"user_id\":\"\(user)\",\"ref_id\":\"\(ref)\",\"timestamp\":\"\(timestamp)\"}",
                          token: token)
    }
}

extension TestResponse {
    /// `emitted` of a fact answer (nil when missing or not a list of strings).
    var emitted: [String]? { json["emitted"] as? [String] }
    var duplicate: Bool? { json["duplicate"] as? Bool }
    /// True for exactly `{"emitted": hooks, "duplicate": dup}` with status 200.
    func isFact(_ hooks: [String], duplicate dup: Bool) -> Bool {
        status == 200 && emitted == hooks && duplicate == dup && json.count == 2
    }
}

// MARK: JSON values, parsed independently of the gateway's own parser

enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let n = try? c.decode(Double.self) { self = .number(n); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    static func parse(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var number: Double? { if case .number(let n) = self { return n }; return nil }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, a real UTC instant.
enum ISOCheck {
    static func date(_ s: String) -> Date? {
        guard s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$"#, options: .regularExpression) != nil else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = s.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f.date(from: s)
    }
}

// MARK: the outbound stream

/// One `wg:events` entry.
struct StreamEntry {
    var id: String
    var fields: [(String, String)]
    func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
    var hook: String { field("hook") ?? "" }
    var eventID: String { field("event_id") ?? "" }
    /// The payload as a JSON object (nil when it is not one).
    var payload: [String: JSONValue]? { field("payload").flatMap(JSONValue.parse)?.object }
    /// A payload field as a string (fast path for the big counts: no full JSON decode).
    func payloadString(_ key: String) -> String? { payloadAny?[key] as? String }
    var payloadAny: [String: Any]? {
        field("payload").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// A blocking Redis client of its own (one real-clock loop), for reading and seeding from the test thread.
final class EventsRedis: @unchecked Sendable {
    // @unchecked: the RedisClient's connection is only touched on its loop; the rest is immutable.
    let group: EventLoopGroup
    let client: RedisClient
    private var closed = false

    init(url: String) throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        client = RedisClient(group: group, address: try RedisAddress(parsing: url))
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        group.stopAndWait()
    }

    final class Box: @unchecked Sendable { var result: Result<RedisReply, RedisError> = .failure(.timeout) }

    /// One command; waits (bounded, through the shared `retrying`) for the connection when it is down.
    /// An error reply is thrown at once, not retried.
    func command(_ args: [String], seconds: Double = 10) throws -> RedisReply {
        let reply: RedisReply
        do {
            reply = try retrying(seconds: seconds, interval: 0.02) { try sendOnce(args).get() }
        } catch {
            throw HarnessError.badReply("\(args.first ?? ""): \(error)")
        }
        if case .error(let m) = reply { throw HarnessError.badReply("\(args.first ?? ""): \(m)") }
        return reply
    }

    /// One attempt on loop 0's connection: its reply, or the transport failure.
    private func sendOnce(_ args: [String]) -> Result<RedisReply, RedisError> {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let loop = group.loops[0]
        let client = self.client
        loop.execute {
            client.connection(on: loop).send(RedisCommand(args), timeoutNanos: 5_000_000_000) { r in
                box.result = r
                done.signal()
            }
        }
        _ = done.wait(timeout: .now() + 6)
        return box.result
    }

    func integer(_ args: [String]) throws -> Int { Int(try command(args).integer ?? -1) }
    func string(_ args: [String]) throws -> String? { try command(args).string }

    /// SADD in chunks.
    func sadd(_ key: String, _ members: [String]) throws {
        var i = 0
        while i < members.count {
            let chunk = Array(members[i..<min(i + 2000, members.count)])
            _ = try command(["SADD", key] + chunk)
            i += chunk.count
        }
    }

    /// The whole `wg:events` stream (XRANGE in pages).
    func entries(after start: String = "-") throws -> [StreamEntry] {
        var out: [StreamEntry] = []
        var from = start
        while true {
            let reply = try command(["XRANGE", "wg:events", from, "+", "COUNT", "5000"])
            let items = reply.array ?? []
            for item in items {
                guard let parts = item.array, parts.count == 2, let id = parts[0].string else { continue }
                let kv = parts[1].array ?? []
                var fields: [(String, String)] = []
                var j = 0
                while j + 1 < kv.count {
                    fields.append((kv[j].string ?? "", kv[j + 1].string ?? ""))
                    j += 2
                }
                out.append(StreamEntry(id: id, fields: fields))
            }
            guard items.count == 5000, let last = out.last?.id else { return out }
            from = "(" + last
        }
    }

    /// Entries with this hook (optionally only those whose payload has `key` == `value`).
    func entries(hook: String, _ key: String? = nil, _ value: String? = nil) throws -> [StreamEntry] {
        try entries().filter { $0.hook == hook && (key == nil || $0.payloadString(key!) == value) }
    }
}

// MARK: real-clock nodes, added and killed one at a time

final class EventsCluster: @unchecked Sendable {
    // @unchecked: used from the test's thread only; the nodes themselves are Sendable.
    let redis: EmbeddedRedis
    let stateDir: String
    private(set) var nodes: [GatewayNode?] = []
    private let configure: (inout ServerConfiguration) -> Void
    private var stopped = false

    /// - Parameter redisArguments: extra redis-server options (e.g. an append-only file that survives a kill).
    init(nodes count: Int, redisArguments: [String] = [], configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) throws {
        stateDir = "/tmp/events-\(getpid())-\(UUID().uuidString.prefix(8))"
        redis = try EmbeddedRedis.start(stateDir: stateDir, mode: .tcpLoopback, extraArguments: redisArguments)
        self.configure = configure
        do {
            for _ in 0..<count { try addNode() }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Starts one more node on the shared Redis (real clock) and waits until it is ready.
    @discardableResult
    func addNode() throws -> Int {
        var config = ServerConfiguration()
        config.redisURL = redis.url
        config.listen = Socket.Address(host: "127.0.0.1", port: 0)
        config.threads = 2
        config.jwtKeys = [RoomAuth.kid: RoomAuth.secret]
        config.stateDir = stateDir
        configure(&config)
        let node = try GatewayNode.start(config)
        nodes.append(node)
        guard eventually(seconds: 10, { node.isReady }) else { throw HarnessError.notReady }
        return nodes.count - 1
    }

    func node(_ i: Int) -> GatewayNode { nodes[i]! }
    func port(_ i: Int) -> UInt16 { node(i).server.port }

    /// Stops node `i` at once (loops stopped, its attendance runner with them; leases it held stay in Redis).
    func kill(_ i: Int) {
        guard let n = nodes[i] else { return }
        nodes[i] = nil
        n.server.stopNow()
    }

    var live: [GatewayNode] { nodes.compactMap { $0 } }

    func stop() {
        guard !stopped else { return }
        stopped = true
        for n in live { n.server.stopNow() }
        redis.stop()
        _ = try? FileManager.default.removeItem(atPath: stateDir)
    }
}
