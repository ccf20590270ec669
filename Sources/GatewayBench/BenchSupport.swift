// Options, a blocking loopback HTTP helper for the orchestrator, and /proc readings.
import Foundation
import Glibc

struct BenchOptions: Sendable {
    var ports: [UInt16] = [8080]
    var count = 1000
    var kid = "k1"
    var secret = "secret"
    var webinar = "bench-w1"
    var waitSeconds = 60
    var sourceAddresses = 8
    var serverPIDs: [Int32] = []
    var rounds = 1
    var repoll = false
    var timeoutSeconds = 60.0

    func port(for i: Int) -> UInt16 { ports[i % ports.count] }
}

enum BlockingHTTP {
    /// One request on a fresh connection; returns (status, body). Loopback only.
    static func request(port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [], body: String = "") -> (Int, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { return (0, "") }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        let s = String(decoding: out, as: UTF8.self)
        let status = s.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let bodyText = s.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, bodyText)
    }

    /// Sum of `gateway_parked_polls` over the target ports.
    static func parked(_ ports: [UInt16]) -> Int {
        ports.reduce(0) { sum, p in
            let (_, body) = request(port: p, "GET", "/metrics")
            for line in body.split(separator: "\n") where line.hasPrefix("gateway_parked_polls ") {
                return sum + (Int(line.split(separator: " ").last ?? "") ?? 0)
            }
            return sum
        }
    }
}

enum Proc {
    /// Resident set size in KiB.
    static func rssKiB(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for l in s.split(separator: "\n") where l.hasPrefix("VmRSS:") {
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
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p / 100) * Double(sorted.count - 1) + 0.5))]
}

func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
