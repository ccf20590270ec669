// A private `redis-server` for the gateway's embedded default and for tests. Started with Linux.spawn
// (clean signal mask: a child started from a Swift Testing thread otherwise inherits a blocked SIGTERM),
// no persistence, loopback or Unix socket only. Every call here BLOCKS (bounded): startup, shutdown and
// tests only, never on an event loop.
import Glibc
import Reactor
import Synchronization

/// A private redis-server process.
public final class EmbeddedRedis: Sendable {
    /// How the server listens.
    public enum Mode: Sendable, Equatable {
        /// TCP on 127.0.0.1, on a port picked free at start (kept across `restart()`).
        case tcpLoopback
        /// A Unix socket at this path (no TCP).
        case unixSocket(String)
    }

    /// How long `start()`/`restart()` wait for the server to answer PING.
    public static let startupTimeoutNanos: UInt64 = 5_000_000_000
    /// How long `stop()` waits for the process to exit after SHUTDOWN NOSAVE before SIGKILL.
    public static let stopTimeoutNanos: UInt64 = 5_000_000_000
    /// How many free ports `start(.tcpLoopback)` tries when another process wins the bind race.
    public static let portAttempts = 5
    /// Interval between startup PING probes and exit checks.
    static let pollIntervalNanos: UInt64 = 10_000_000
    /// Timeout of one blocking probe round trip.
    static let probeTimeoutMillis = 500

    /// The message when the binary is missing (one line, naming the apt package).
    public static let notFoundMessage = "redis-server not found: install it with 'apt-get install redis-server'"

    /// The server's address (numeric; no password; database 0).
    public let address: RedisAddress
    /// The URL form: `redis://127.0.0.1:PORT/0` or `unix:///path`.
    public let url: String
    /// The state directory (logs in `redis.log`).
    public let stateDir: String
    private let executable: String
    private let arguments: [String]
    private let process = Mutex<Int32?>(nil)

    private init(address: RedisAddress, url: String, stateDir: String, executable: String, arguments: [String], pid: Int32) {
        self.address = address
        self.url = url
        self.stateDir = stateDir
        self.executable = executable
        self.arguments = arguments
        process.withLock { $0 = pid }
    }

    deinit {
        // A safety net for failed tests: never leave an orphan server behind.
        if let pid = process.withLock({ $0 }) { Self.killAndReap(pid) }
    }

    /// The server's PID, or nil while it is stopped.
    public var pid: Int32? { process.withLock { $0 } }

    /// Starts a server and waits until it answers PING.
    /// - Parameters:
    ///   - stateDir: working directory (created if missing); `redis.log` goes there.
    ///   - mode: loopback TCP on a free port, or a Unix socket.
    ///   - extraArguments: more `--option value` pairs (e.g. `["--enable-debug-command", "local"]`).
    ///   - executable: the binary; nil searches `PATH`, /usr/bin, /usr/sbin, /usr/local/bin.
    /// - Throws: `RedisError.embeddedServer` with a one-line message (missing binary, no PING answer
    ///   within `startupTimeoutNanos`, early exit).
    public static func start(stateDir: String, mode: Mode = .tcpLoopback, extraArguments: [String] = [],
                             executable: String? = nil) throws(RedisError) -> EmbeddedRedis {
        let exe = try locate(executable, searchDirectories: defaultSearchDirectories())
        let dir = absolute(stateDir)
        try makeDirectories(dir)
        let common = [exe, "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
                      "--logfile", dir + "/redis.log", "--bind", "127.0.0.1"]
        switch mode {
        case .unixSocket(let rawPath):
            let path = absolute(rawPath)
            let args = common + ["--port", "0", "--unixsocket", path, "--unixsocketperm", "700"] + extraArguments
            let endpoint = RedisAddress.Endpoint.unix(path: path)
            let pid = try launchOrThrow(exe, args, endpoint, dir)
            return EmbeddedRedis(address: RedisAddress(endpoint: endpoint), url: "unix://\(path)", stateDir: dir,
                                 executable: exe, arguments: args, pid: pid)
        case .tcpLoopback:
            for _ in 0..<portAttempts {
                guard let port = BlockingRedis.freeLoopbackPort() else { continue }
                let args = common + ["--port", String(port)] + extraArguments
                let endpoint = RedisAddress.Endpoint.tcp(host: "127.0.0.1", port: port)
                // An early exit most likely means another process took the port first: try another.
                guard case .running(let pid) = try launch(exe, args, endpoint, dir) else { continue }
                return EmbeddedRedis(address: RedisAddress(endpoint: endpoint), url: "redis://127.0.0.1:\(port)/0",
                                     stateDir: dir, executable: exe, arguments: args, pid: pid)
            }
            throw .embeddedServer("redis-server exited during startup \(portAttempts) times (no free port?); see \(dir)/redis.log")
        }
    }

    /// Stops the server: SHUTDOWN NOSAVE over a socket, wait for exit (bounded), SIGKILL as fallback.
    public func stop() {
        guard let pid = process.withLock({ p -> Int32? in defer { p = nil }; return p }) else { return }
        let reply = BlockingRedis.roundTrip(address.endpoint, RedisCommand(["SHUTDOWN", "NOSAVE"]), timeoutMillis: Self.probeTimeoutMillis)
        if reply?.first == UInt8(ascii: "-") { return Self.killAndReap(pid) }  // refused (e.g. NOAUTH)
        let deadline = MonotonicClock().nowNanos() &+ Self.stopTimeoutNanos
        while MonotonicClock().nowNanos() < deadline {
            if Self.reaped(pid) { return }
            Self.pause()
        }
        Self.killAndReap(pid)
    }

    /// Kills the server with SIGKILL (for failure tests) and reaps it.
    public func kill() {
        guard let pid = process.withLock({ p -> Int32? in defer { p = nil }; return p }) else { return }
        Self.killAndReap(pid)
    }

    /// Starts the server again on the same address (stopping it first if it is running).
    /// - Throws: `RedisError.embeddedServer` if it does not come back.
    public func restart() throws(RedisError) {
        stop()
        let pid = try Self.launchOrThrow(executable, arguments, address.endpoint, stateDir)
        process.withLock { $0 = pid }
    }

    // MARK: process handling

    private enum LaunchOutcome {
        case running(Int32)
        case exitedEarly
    }

    private static func launchOrThrow(_ exe: String, _ args: [String], _ endpoint: RedisAddress.Endpoint, _ dir: String) throws(RedisError) -> Int32 {
        guard case .running(let pid) = try launch(exe, args, endpoint, dir) else {
            throw .embeddedServer("redis-server exited during startup; see \(dir)/redis.log")
        }
        return pid
    }

    /// Spawns the server and polls (bounded) until it answers PING (NOAUTH counts: it is up) or exits.
    private static func launch(_ exe: String, _ args: [String], _ endpoint: RedisAddress.Endpoint, _ dir: String) throws(RedisError) -> LaunchOutcome {
        let out = open(dir + "/redis.stdout", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { if out >= 0 { Glibc.close(out) } }
        let pid: Int32
        do {
            pid = try Linux.spawn(exe, args, stdoutFD: out >= 0 ? out : nil)
        } catch {
            throw .embeddedServer("cannot start \(exe): \(error)")
        }
        let ping = RedisCommand(["PING"])
        let deadline = MonotonicClock().nowNanos() &+ startupTimeoutNanos
        while MonotonicClock().nowNanos() < deadline {
            if reaped(pid) { return .exitedEarly }
            if let reply = BlockingRedis.roundTrip(endpoint, ping, timeoutMillis: probeTimeoutMillis),
               reply.starts(with: Array("+PONG".utf8)) || reply.starts(with: Array("-NOAUTH".utf8)) {
                return .running(pid)
            }
            pause()
        }
        killAndReap(pid)
        throw .embeddedServer("redis-server did not answer PING within \(startupTimeoutNanos / 1_000_000_000) s; see \(dir)/redis.log")
    }

    /// True when `pid` has exited (and is now reaped) or is not our child any more.
    static func reaped(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        return rc == pid || (rc < 0 && errno == ECHILD)
    }

    static func killAndReap(_ pid: Int32) {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    static func pause() {
        var ts = timespec(tv_sec: 0, tv_nsec: Int(pollIntervalNanos))
        nanosleep(&ts, nil)
    }

    // MARK: files

    /// `explicit` if executable, else the first `name` (`redis-server`) in `searchDirectories`.
    /// - Throws: `RedisError.embeddedServer(notFoundMessage)`.
    static func locate(_ explicit: String?, searchDirectories: [String], name: String = "redis-server") throws(RedisError) -> String {
        let candidates = explicit.map { [$0] } ?? searchDirectories.filter { !$0.isEmpty }.map { $0 + "/" + name }
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw .embeddedServer(notFoundMessage)
        }
        return found
    }

    static func defaultSearchDirectories() -> [String] {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        return path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buf, buf.count) != nil else { return path }
        let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd + "/" + path
    }

    static func makeDirectories(_ path: String) throws(RedisError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .embeddedServer("cannot create state directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
