// Options, blocking loopback HTTP helpers for the orchestrator, server gauges, and /proc readings.
import Foundation
import Glibc

/// What the clients talk to.
enum TargetKind: String, Sendable {
    /// Our gateway: GET /v1/webinars/W/state with a per-user JWT; parked gauge from /metrics; trigger = CTA hook.
    case gateway
    /// Nginx + Nchan long-poll subscriber: parked gauge from nchan_stub_status; trigger = POST to the publisher.
    case nchan
    /// A static file served by nginx (rate mode only): GET with a matching If-None-Match → 304.
    case staticFile = "static"
}

struct BenchOptions: Sendable {
    var mode = "fanout"
    var target = TargetKind.gateway
    var ports: [UInt16] = [8080]
    var count = 1000
    var kid = "k1"
    var secret = "secret"
    var webinar = "bench-w1"
    var waitSeconds = 60
    var sourceAddresses = 8
    /// First host octet of the client source addresses (127.0.0.X).
    var sourceFirst = 2
    var serverPIDs: [Int32] = []
    /// Processes whose CPU is reported separately (e.g. redis-server).
    var auxPIDs: [Int32] = []
    var rounds = 1
    var repoll = false
    /// Re-poll as soon as each answer arrives (instead of a storm after every client has its answer).
    var repollImmediate = false
    var timeoutSeconds = 60.0
    /// Client processes; 0 = automatic (in-process up to `perWorkerLimit`).
    var workers = 0
    // Nchan.
    var subPath = "/sub/bench"
    var pubPath = "/pub/bench"
    var statusPath = "/nchan_status"
    /// Bytes of the message published to Nchan (same order as the gateway's state body).
    var messageBytes = 200
    // Rate mode.
    var seconds = 8.0
    var path = "/static/state.json"
    /// Connections a client opens at once while setting up (connect + first request in flight).
    var openWindow = 512
    /// Seconds to wait between confirmed parking and the first trigger (e.g. to attach a profiler).
    var pauseSeconds = 0.0
    /// Overall limit: the process exits after this many seconds whatever happens.
    var deadlineSeconds = 600
    // Set by the parent for a child worker: the client indexes [from, to).
    var rangeFrom = 0
    var rangeTo = -1
    var isWorker = false

    static let perWorkerLimit = 18_000

    func port(for i: Int) -> UInt16 { ports[i % ports.count] }
    var range: Range<Int> { rangeFrom..<(rangeTo < 0 ? count : rangeTo) }
    func source(for i: Int) -> String { "127.0.0.\(sourceFirst + i % sourceAddresses)" }
}

/// One keep-alive loopback connection for the orchestrator's own requests (gauges, triggers).
/// Reconnects once when the server closed it. Blocking, 10 s receive timeout.
final class KeepAliveHTTP {
    let port: UInt16
    private(set) var fd: Int32 = -1

    init(port: UInt16) { self.port = port }
    deinit { if fd >= 0 { close(fd) } }

    /// Connects if needed. Returns false when the connection cannot be made.
    @discardableResult
    func connectIfNeeded() -> Bool {
        if fd >= 0 { return true }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { return false }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(s); return false }
        fd = s
        return true
    }

    /// Local (client) port of the connection.
    var localPort: UInt16 {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    func drop() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// One request; (status, body), status 0 on failure. Retries once on a fresh connection.
    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String = "") -> (Int, String) {
        for _ in 0..<2 {
            guard connectIfNeeded() else { return (0, "") }
            if let r = attempt(method, path, headers, body) { return r }
            drop()
        }
        return (0, "")
    }

    private func attempt(_ method: String, _ path: String, _ headers: [(String, String)], _ body: String) -> (Int, String)? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: bench\r\nContent-Length: \(body.utf8.count)\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { return nil }
        var inbox: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let r = HTTPPeek.response(inbox) {
                let bodyBytes = inbox[(r.length - r.bodyLength)..<r.length]
                if r.closes { drop() }
                return (r.status, String(decoding: bodyBytes, as: UTF8.self))
            }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            inbox.append(contentsOf: buf[0..<n])
        }
    }
}

/// The server's own count of parked polls: the sum of `gateway_parked_polls` over every gateway
/// process, or Nchan's `subscribers:` line. With several gateway processes sharing one port
/// (SO_REUSEPORT) a fresh connection reaches an arbitrary one, so the gauge keeps one keep-alive
/// connection pinned to each process: it opens connections until every PID owns one (the accepted
/// socket's inode, from /proc/net/tcp, found among /proc/PID/fd).
final class ServerGauge {
    let options: BenchOptions
    private var pinned: [KeepAliveHTTP] = []

    init(options: BenchOptions) {
        self.options = options
    }

    /// Prepares the connections (call before the clients connect: /proc/net/tcp is small then).
    func prepare() -> Bool {
        pinned = []
        switch options.target {
        case .nchan, .staticFile:
            pinned = [KeepAliveHTTP(port: options.ports[0])]
            return true
        case .gateway:
            let pids = options.serverPIDs
            if pids.count <= 1 || options.ports.count > 1 {
                // One process (or one port per process): a connection per port.
                pinned = options.ports.map { KeepAliveHTTP(port: $0) }
                return true
            }
            var byPID: [Int32: KeepAliveHTTP] = [:]
            var spare: [KeepAliveHTTP] = []
            for _ in 0..<400 where byPID.count < pids.count {
                let c = KeepAliveHTTP(port: options.ports[0])
                guard c.request("GET", "/healthz").0 == 200 else { continue }
                if let owner = ProcNet.owner(serverPort: options.ports[0], clientPort: c.localPort, among: pids), byPID[owner] == nil {
                    byPID[owner] = c
                } else {
                    spare.append(c)   // keep it open so the kernel does not hand us the same port again
                }
            }
            spare.forEach { $0.drop() }
            guard byPID.count == pids.count else {
                FileHandle.standardError.write(Data("gateway-bench: could not pin a metrics connection to every gateway PID (\(byPID.count)/\(pids.count))\n".utf8))
                return false
            }
            pinned = pids.compactMap { byPID[$0] }
            return true
        }
    }

    /// Parked polls now (sum over processes), or -1 when a scrape failed.
    func parked() -> Int {
        var sum = 0
        for c in pinned {
            switch options.target {
            case .gateway:
                let (st, body) = c.request("GET", "/metrics")
                guard st == 200, let v = Self.value(body, "gateway_parked_polls ") else { return -1 }
                sum += v
            case .nchan, .staticFile:
                let (st, body) = c.request("GET", options.statusPath)
                guard st == 200, let v = Self.value(body, "subscribers: ") else { return -1 }
                sum += v
            }
        }
        return sum
    }

    static func value(_ body: String, _ prefix: String) -> Int? {
        for line in body.split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

enum ProcNet {
    /// The PID among `pids` holding the server side of the loopback connection serverPort <- clientPort.
    static func owner(serverPort: UInt16, clientPort: UInt16, among pids: [Int32]) -> Int32? {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return nil }
        let local = String(format: ":%04X", Int(serverPort))
        let remote = String(format: ":%04X", Int(clientPort))
        var inode: String?
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 9 else { continue }
            if f[1].hasSuffix(local) && f[2].hasSuffix(remote) { inode = String(f[9]); break }
        }
        guard let inode, inode != "0" else { return nil }
        let want = "socket:[\(inode)]"
        for pid in pids {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"), link == want {
                    return pid
                }
            }
        }
        return nil
    }
}

enum Proc {
    /// Resident set size in KiB.
    static func rssKiB(_ pid: Int32) -> Int { field(path: "/proc/\(pid)/status", "VmRSS:") }

    /// Proportional set size in KiB (shared pages split between the processes that map them).
    static func pssKiB(_ pid: Int32) -> Int { field(path: "/proc/\(pid)/smaps_rollup", "Pss:") }

    private static func field(path: String, _ name: String) -> Int {
        guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for l in s.split(separator: "\n") where l.hasPrefix(name) {
            return Int(l.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// On-CPU nanoseconds of every thread of `pid` (/proc/PID/task/*/schedstat, first field).
    static func cpuNanos(_ pid: Int32) -> UInt64 {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return 0 }
        return tasks.reduce(0) { sum, t in
            guard let s = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/schedstat", encoding: .utf8),
                  let first = s.split(separator: " ").first, let v = UInt64(first) else { return sum }
            return sum + v
        }
    }

    static func cpuNanos(_ pids: [Int32]) -> UInt64 { pids.map(cpuNanos).reduce(0, +) }
    static func rssKiB(_ pids: [Int32]) -> Int { pids.map(rssKiB).reduce(0, +) }
    static func pssKiB(_ pids: [Int32]) -> Int { pids.map(pssKiB).reduce(0, +) }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p / 100) * Double(sorted.count - 1) + 0.5))]
}

func fmt(_ v: Double) -> String { v.isNaN ? "nan" : String(format: "%.1f", v) }
func fmt2(_ v: Double) -> String { v.isNaN ? "nan" : String(format: "%.2f", v) }

func monoNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func waitFor(_ what: String, seconds: Double, _ cond: () -> Bool) -> Bool {
    let end = monoNow() + UInt64(seconds * 1e9)
    while monoNow() < end { if cond() { return true }; usleep(2000) }
    FileHandle.standardError.write(Data("gateway-bench: timed out waiting for \(what)\n".utf8))
    return false
}

func say(_ line: String) {
    print(line)
    fflush(nil)
}
