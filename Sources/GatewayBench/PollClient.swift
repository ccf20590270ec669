// One simulated browser on a keep-alive connection.
// Gateway: GET state (learn the ETag), then park a GET with If-None-Match.
// Nchan: the first GET parks at once (nchan_subscriber_first_message newest); a re-poll carries the last
// message's Etag/Last-Modified as If-None-Match/If-Modified-Since.
// An answer records its time; with re-poll the client parks again (at once, or when told to).
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
    var lastModified = ""
    var inbox: [UInt8] = []
    var answeredAt: UInt64 = 0
    var lastStatus = 0
    /// Still counted in the opener's window (not parked yet).
    var opening = true

    init(index: Int, loop: EventLoop, run: FanoutRun) {
        self.index = index
        self.loop = loop
        self.run = run
    }

    func connect(to port: UInt16, from source: String) {
        fd = openClientSocket(port: port, source: source)
        guard fd >= 0 else { return fail() }
        registration = try? loop.register(fd: fd, interest: [.writable, .readable], handler: self)
        if registration == nil { fail() }
    }

    func handleIO(_ events: IOEvents) {
        if events.contains(.error) || events.contains(.hangup) { return fail() }
        if phase == .connecting && events.contains(.writable) {
            if let r = registration { try? loop.reregister(r, interest: [.readable]) }
            switch run.options.target {
            case .gateway:
                phase = .fetching
                send(run.request(index: index, etag: nil, lastModified: nil))
            case .nchan, .staticFile:
                phase = .parked
                send(run.request(index: index, etag: nil, lastModified: nil))
                settled()
            }
        }
        if events.contains(.readable) { readResponses() }
    }

    func send(_ bytes: [UInt8]) {
        guard fd >= 0 else { return }
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != bytes.count { fail() }
    }

    /// Parks again with the current validators (re-poll).
    func repark() {
        guard phase == .answered else { return }
        phase = .parked
        send(run.request(index: index, etag: etag, lastModified: lastModified))
    }

    private func settled() {
        if opening {
            opening = false
            run.settled()
        }
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
        while let r = HTTPPeek.response(inbox, validators: true) {
            if r.length == inbox.count { inbox.removeAll(keepingCapacity: false) } else { inbox.removeFirst(r.length) }
            lastStatus = r.status
            if let tag = r.etag { etag = tag }
            if let lm = r.lastModified { lastModified = lm }
            switch phase {
            case .fetching:
                guard r.status == 200 else { return fail() }
                phase = .parked
                send(run.request(index: index, etag: etag, lastModified: nil))
                settled()
            case .parked:
                answeredAt = monoNow()
                phase = .answered
                run.answered(self, status: r.status)
                if run.options.repollImmediate && r.status == 200 { repark() }
            default:
                break
            }
        }
    }

    func fail() {
        if phase != .failed {
            phase = .failed
            run.failed(self)
            settled()
        }
    }

    func close() {
        if let r = registration { loop.deregister(r) }
        registration = nil
        closeClientSocket(fd)
        fd = -1
    }
}

/// A non-blocking TCP socket bound to `source` (port chosen at connect: IP_BIND_ADDRESS_NO_PORT) and
/// connecting to 127.0.0.1:port. -1 on failure.
func openClientSocket(port: UInt16, source: String) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_IP), 24 /* IP_BIND_ADDRESS_NO_PORT */, &one, 4)
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
    var src = sockaddr_in()
    src.sin_family = sa_family_t(AF_INET)
    src.sin_addr.s_addr = inet_addr(source)
    _ = withUnsafePointer(to: &src) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var dst = sockaddr_in()
    dst.sin_family = sa_family_t(AF_INET)
    dst.sin_port = port.bigEndian
    dst.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &dst) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    if rc != 0 && errno != EINPROGRESS { close(fd); return -1 }
    return fd
}

/// Closes with an RST (SO_LINGER 0) so thousands of bench sockets leave no TIME_WAIT behind.
func closeClientSocket(_ fd: Int32) {
    guard fd >= 0 else { return }
    var l = linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    close(fd)
}

/// Just enough response parsing for the bench, on bytes: status, validators, total length
/// (Content-Length bodies; 1xx/204/304 have none).
enum HTTPPeek {
    struct Response {
        var status: Int
        var etag: String?
        var lastModified: String?
        /// Head + body bytes.
        var length: Int
        var bodyLength: Int
        /// `Connection: close` was sent.
        var closes: Bool
    }

    static func response(_ b: [UInt8], validators: Bool = true) -> Response? {
        b.withUnsafeBufferPointer { response($0, validators: validators) }
    }

    static func response(_ p: UnsafeBufferPointer<UInt8>, validators: Bool) -> Response? {
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
        var r = Response(status: status, etag: nil, lastModified: nil, length: 0, bodyLength: 0, closes: false)
        var length = 0
        var line = 0
        while line < end {
            var e = line
            while e < end && p[e] != 13 { e += 1 }
            let c = p[line] | 0x20
            if c == 0x63 /* c */ && matches(p, line, "content-length:") {
                var j = line + 15
                while j < e && p[j] == 32 { j += 1 }
                while j < e { length = length * 10 + Int(p[j] &- 48); j += 1 }
            } else if c == 0x63 && matches(p, line, "connection: close") {
                r.closes = true
            } else if validators && c == 0x65 /* e */ && matches(p, line, "etag:") {
                r.etag = value(p, line + 5, e)
            } else if validators && c == 0x6c /* l */ && matches(p, line, "last-modified:") {
                r.lastModified = value(p, line + 14, e)
            }
            line = e + 2
        }
        if status == 304 || status == 204 || status < 200 { length = 0 }
        r.length = end + 4 + length
        r.bodyLength = length
        return n >= r.length ? r : nil
    }

    private static func value(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ e: Int) -> String {
        var j = from
        while j < e && p[j] == 32 { j += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: p[j..<e]), as: UTF8.self)
    }

    private static func matches(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard at + n <= p.count else { return false }
        let s = lower.utf8Start
        for k in 0..<n {
            let a = p[at + k], w = s[k]
            if a == w { continue }
            if w >= 0x61 && w <= 0x7a && a | 0x20 == w { continue }
            return false
        }
        return true
    }
}
