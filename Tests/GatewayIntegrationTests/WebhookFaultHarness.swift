// Support for the WebhookFault*/WebhookVolume tests (contract §5): `FaultReceiver`, the scripted Python
// receiver (webhook_fault_receiver.py: HTTP or HTTPS, per-path answers, every request recorded with the
// reference `standardwebhooks` library's verdict), `FaultCLI` (the `gateway webhooks` verbs the tests
// use, through WebhooksCommand.run), `FaultFacts` (client facts over keep-alive connections) and
// `GatewayProcess` (a real `gateway serve` child, for SIGKILL). Every process here is stopped by PID.
import Foundation
import GatewayTestSupport
import Glibc
import Reactor
import Testing
@testable import Gateway

/// The venv python with `standardwebhooks` (GATEWAY_WEBHOOK_PYTHON, set by scripts/test), or nil.
enum FaultPython {
    static let reference: String? = ProcessInfo.processInfo.environment["GATEWAY_WEBHOOK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    /// The interpreter for the receiver: the venv's when given (requests verified), else python3.
    static var interpreter: String { reference ?? "/usr/bin/python3" }
    static var available: Bool { FileManager.default.isExecutableFile(atPath: interpreter) }
    /// Whether the receiver checks signatures with the reference library.
    static var verifies: Bool { reference != nil }
}

/// One running scripted receiver.
final class FaultReceiver {
    /// One request as the receiver logged it.
    struct Request {
        let conn: Int
        let path: String
        let id: String
        /// The reference library's verdict (nil: no library or no secret for the path).
        let verified: Bool?
        let error: String?
        let type: String?
        /// The status answered, or nil for a request that was never answered ("hang").
        let answer: Int?
        /// Unix seconds the request arrived (the receiver's clock).
        let time: Double
    }

    private let server: TestHTTPServer
    let controlPath: String
    var port: UInt16 { server.port }
    var pid: Int32 { server.pid }

    /// - Parameters:
    ///   - pki: serve HTTPS with its server certificate (plain HTTP when nil).
    ///   - port: a fixed port (e.g. one a subscription already points at); 0 picks one.
    ///   - paths: the control file's `paths` (see the script's header).
    init(pki: TestPKI? = nil, port: UInt16 = 0, paths: [String: Any] = [:]) throws {
        controlPath = NSTemporaryDirectory() + "whfault-control-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        try Self.write(paths, to: controlPath)
        let control = controlPath
        server = try TestHTTPServer(python: FaultPython.interpreter, script: "webhook_fault_receiver.py") { log in
            [log, control] + (port == 0 ? [] : ["--port", String(port)]) + (pki.map { ["--cert", $0.serverCertificate, "--key", $0.serverKey] } ?? [])
        }
    }

    /// Replaces the per-path behaviour (the receiver re-reads the file on its next request).
    func control(_ paths: [String: Any]) throws { try Self.write(paths, to: controlPath) }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: controlPath)
    }

    var entries: [[String: Any]] { server.logEntries }

    /// Every request logged (optionally only those on `path`), in order.
    func requests(_ path: String? = nil) -> [Request] { Self.requests(entries, path) }

    static func requests(_ entries: [[String: Any]], _ path: String? = nil) -> [Request] {
        entries.compactMap { e in
            guard e["event"] as? String == "request", let p = e["path"] as? String, path == nil || p == path else { return nil }
            return Request(conn: e["conn"] as? Int ?? 0, path: p, id: e["id"] as? String ?? "", verified: e["verified"] as? Bool,
                           error: e["error"] as? String, type: e["type"] as? String, answer: e["answer"] as? Int,
                           time: e["t"] as? Double ?? 0)
        }
    }

    /// How many log lines have `event` == `name` (connect, close, tls_error, hang_end).
    func count(_ name: String) -> Int { entries.filter { $0["event"] as? String == name }.count }

    /// Ids answered with a 2xx on `path`.
    func delivered(_ path: String) -> Set<String> {
        Set(requests(path).filter { ($0.answer ?? 0) / 100 == 2 }.map(\.id))
    }

    private static func write(_ paths: [String: Any], to file: String) throws {
        let data = try JSONSerialization.data(withJSONObject: ["paths": paths])
        let temp = file + ".tmp"
        try data.write(to: URL(fileURLWithPath: temp))
        guard rename(temp, file) == 0 else { throw IOError(errno: errno, reason: "rename \(temp)") }
    }
}

/// The `gateway webhooks` verbs, run in-process like the CLI runs them.
enum FaultCLI {
    /// `webhooks add URL --events EVENTS --webhook-allow-private`: the new id and secret.
    static func add(_ redisURL: String, _ url: String, events: String = "*") async throws -> (id: String, secret: String) {
        let out = try await WebhooksCommand.run(arguments: ["add", url, "--events", events, "--redis", redisURL, "--webhook-allow-private"],
                                                environment: [:])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
        return (try #require(json["id"] as? String), try #require(json["secret"] as? String))
    }

    /// `webhooks show ID` as JSON.
    static func show(_ redisURL: String, _ id: String) async throws -> [String: Any] {
        let out = try await WebhooksCommand.run(arguments: ["show", id, "--redis", redisURL], environment: [:])
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
    }

    /// `webhooks dead ID`: the dead letters.
    static func dead(_ redisURL: String, _ id: String) async throws -> [[String: Any]] {
        let out = try await WebhooksCommand.run(arguments: ["dead", id, "--redis", redisURL], environment: [:])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
        return try #require(json["deliveries"] as? [[String: Any]], "\(out)")
    }

    /// A counter of `show` (delivered, failed, dead); -1 when missing.
    static func counter(_ redisURL: String, _ id: String, _ name: String) async throws -> Int {
        try await show(redisURL, id)[name] as? Int ?? -1
    }
}

/// Client facts for the webhook tests: one attendee (own user, own session) per session.
enum FaultFacts {
    static func token(_ session: String) -> String {
        EventsAuth.attendee(session: session, lead: "lead-\(session)", sub: "user-\(session)")
    }

    /// POSTs `{"type": type}` for `session` on a fresh connection; true on 200.
    @discardableResult
    static func post(_ port: UInt16, _ webinar: String, _ session: String, _ type: String) throws -> Bool {
        let body = type == "left" ? "{\"type\":\"left\",\"leave_reason\":\"done\"}" : "{\"type\":\"\(type)\"}"
        return try EventsHTTP.fact(port, webinar, session, body: body, token: token(session)).status == 200
    }

    /// The event ids of the stream entries whose hook is one of `hooks` (all when empty).
    static func eventIDs(_ db: EventsRedis, hooks: Set<String> = []) throws -> Set<String> {
        Set(try db.entries().filter { hooks.isEmpty || hooks.contains($0.hook) }.map(\.eventID))
    }
}

/// One keep-alive connection to a node, re-opened when the node closes it.
final class FaultKeepAlive {
    private let port: UInt16
    private var client: TestClient?

    init(port: UInt16) { self.port = port }

    /// Sends `request` and reads its answer (on a new connection once, if the old one was closed).
    func send(_ request: String) throws -> TestResponse {
        for attempt in 0..<2 {
            do {
                let c = try client ?? TestClient(port: port, timeoutSeconds: 10)
                client = c
                c.send(request)
                return try c.readResponse()
            } catch TestClientError.closed where attempt == 0 {
                client = nil
            }
        }
        throw TestClientError.closed
    }
}

/// A free loopback TCP port right now (bound to port 0, then closed; nothing listens on it).
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw IOError(errno: errno, reason: "socket") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw IOError(errno: errno, reason: "bind 127.0.0.1:0") }
    return UInt16(bigEndian: addr.sin_port)
}

/// A real `gateway serve` child process (the debug build), stopped by its PID.
final class GatewayProcess {
    let pid: Int32
    let port: UInt16
    let logPath: String
    private var running = true

    /// `gateway` in GATEWAY_TEST_BIN_DIR (scripts/test sets it), else this package's `.build/debug/gateway`,
    /// when built (`swift build --build-tests` builds it with the tests).
    static let executable: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let given: String? = ProcessInfo.processInfo.environment["GATEWAY_TEST_BIN_DIR"].map { $0 + "/gateway" }
        let candidates = [given, root.appendingPathComponent(".build/debug/gateway").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Starts `gateway serve --listen 127.0.0.1:PORT --redis URL ... extra` and waits until `/readyz` is 200.
    /// - Throws: when the binary is missing, it cannot start, or it is not ready within 20 s.
    init(redisURL: String, stateDir: String, extra: [String]) throws {
        guard let exe = Self.executable else { throw IOError(errno: ENOENT, reason: "no .build/debug/gateway (run swift build)") }
        port = try freeLoopbackPort()
        logPath = stateDir + "/gateway-\(port).log"
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError(errno: errno, reason: "open \(logPath)") }
        defer { close(fd) }
        let args = ["serve", "--listen", "127.0.0.1:\(port)", "--redis", redisURL, "--threads", "1", "--state-dir", stateDir,
                    "--jwt-keys", "\(RoomAuth.kid):\(RoomAuth.secret)"] + extra
        pid = try Linux.spawn(exe, [exe] + args, stdoutFD: fd)
        let port = self.port
        let ready = eventually(seconds: 20, interval: 0.05) {
            (try? RoomHTTP.send(port, "/readyz", timeoutSeconds: 1).status) == 200
        }
        guard ready else {
            stop()
            throw IOError(errno: 0, reason: "gateway serve not ready; see \(logPath)")
        }
    }

    deinit { stop() }

    /// SIGKILL and reap (no drain, no goodbye: leases and pending entries stay in Redis).
    func stop() {
        guard running else { return }
        running = false
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
