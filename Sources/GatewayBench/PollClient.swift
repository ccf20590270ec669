// One simulated browser: keep-alive connection, GET state (learn the ETag), then park a GET with
// If-None-Match; on a 200 it records the time and (with re-poll) parks again with the new ETag.
import Glibc
import Reactor

final class PollClient: IOHandler {
    enum Phase { case connecting, fetching, parked, answered, failed }

    let index: Int
    let loop: EventLoop
    let run: FanoutRun
    var fd: Int32 = -1
    var registration: Registration?
    var phase = Phase.connecting
    var etag = ""
    var inbox: [UInt8] = []
    var pendingOut: [UInt8] = []
    var answeredAt: UInt64 = 0
    var lastStatus = 0

    init(index: Int, loop: EventLoop, run: FanoutRun) {
        self.index = index
        self.loop = loop
        self.run = run
    }

    func connect(to port: UInt16, from source: String) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return fail() }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IP), 24 /* IP_BIND_ADDRESS_NO_PORT */, &one, 4)
        var src = sockaddr_in()
        src.sin_family = sa_family_t(AF_INET)
        src.sin_addr.s_addr = inet_addr(source)
        _ = withUnsafePointer(to: &src) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var dst = sockaddr_in()
        dst.sin_family = sa_family_t(AF_INET)
        dst.sin_port = port.bigEndian
        dst.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &dst) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 && errno != EINPROGRESS { return fail() }
        registration = try? loop.register(fd: fd, interest: [.writable, .readable], handler: self)
        if registration == nil { fail() }
    }

    func handleIO(_ events: IOEvents) {
        if events.contains(.error) || events.contains(.hangup) { return fail() }
        if phase == .connecting && events.contains(.writable) {
            phase = .fetching
            send(run.request(index: index, etag: nil))
            if let r = registration { try? loop.reregister(r, interest: [.readable]) }
        }
        if events.contains(.readable) { readResponses() }
    }

    func send(_ bytes: [UInt8]) {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != bytes.count { fail() }
    }

    /// Parks again with the current ETag (re-poll).
    func repark() {
        guard phase == .answered else { return }
        phase = .parked
        send(run.request(index: index, etag: etag))
    }

    private func readResponses() {
        let buf = loop.readBuffer
        while true {
            let n = recv(fd, buf.baseAddress, buf.count, 0)
            if n == 0 { return fail() }
            if n < 0 { if errno == EAGAIN { break }; return fail() }
            if let base = buf.baseAddress {
                inbox.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: n))
            }
            if n < buf.count { break }
        }
        while let (status, tag, length) = HTTPPeek.response(inbox) {
            if length == inbox.count { inbox.removeAll(keepingCapacity: true) } else { inbox.removeFirst(length) }
            lastStatus = status
            if let tag { etag = tag }
            switch phase {
            case .fetching:
                guard status == 200 else { return fail() }
                phase = .parked
                send(run.request(index: index, etag: etag))
            case .parked:
                answeredAt = MonotonicClock().nowNanos()
                phase = .answered
                run.answered(self, status: status)
            default:
                break
            }
        }
    }

    func fail() {
        if phase != .failed {
            phase = .failed
            run.failed(self)
        }
    }

    func close() {
        if let r = registration { loop.deregister(r) }
        registration = nil
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

/// Just enough response parsing for the bench, on bytes: status, ETag, total length (Content-Length bodies).
enum HTTPPeek {
    static func response(_ b: [UInt8]) -> (Int, String?, Int)? {
        b.withUnsafeBufferPointer { p -> (Int, String?, Int)? in
            let n = p.count
            guard n >= 16 else { return nil }
            var end = -1
            var i = 12
            while i + 3 < n {
                if p[i] == 13 && p[i + 1] == 10 && p[i + 2] == 13 && p[i + 3] == 10 { end = i; break }
                i += 1
            }
            guard end > 0 else { return nil }
            let status = Int(p[9] &- 48) * 100 + Int(p[10] &- 48) * 10 + Int(p[11] &- 48)
            var length = 0
            var etag: String?
            var line = 0
            while line < end {
                var e = line
                while e < end && p[e] != 13 { e += 1 }
                if matches(p, line, "content-length:") {
                    var j = line + 15
                    while j < e && p[j] == 32 { j += 1 }
                    while j < e { length = length * 10 + Int(p[j] &- 48); j += 1 }
                } else if matches(p, line, "etag:") {
                    var j = line + 5
                    while j < e && p[j] == 32 { j += 1 }
                    etag = String(decoding: UnsafeBufferPointer(rebasing: p[j..<e]), as: UTF8.self)
                }
                line = e + 2
            }
            let total = end + 4 + length
            return n >= total ? (status, etag, total) : nil
        }
    }

    private static func matches(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard at + n <= p.count else { return false }
        let s = lower.utf8Start
        for k in 0..<n where (p[at + k] | 0x20) != s[k] && !(s[k] == 58 && p[at + k] == 58) && !(s[k] == 45 && p[at + k] == 45) { return false }
        return true
    }
}
