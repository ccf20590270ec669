// `rate`: K keep-alive connections in a closed loop of immediate GETs for T seconds.
// Each connection first GETs the resource to learn its ETag, then repeats the GET with a matching
// If-None-Match (gateway: `GET /v1/webinars/W/state` with the connection's own user token, no wait →
// 304; nginx: a static file → 304). Latencies go to a histogram of 10 µs buckets.
import Foundation
import Gateway
import Glibc
import Reactor

/// Latency histogram: 10 µs buckets up to 2 s, then one overflow bucket.
struct LatencyHistogram {
    static let bucketNanos: UInt64 = 10_000
    static let buckets = 200_000
    var counts = [Int](repeating: 0, count: LatencyHistogram.buckets + 1)

    mutating func add(_ nanos: UInt64) {
        counts[Int(min(nanos / Self.bucketNanos, UInt64(Self.buckets)))] += 1
    }

    var total: Int { counts.reduce(0, +) }

    /// Milliseconds at percentile `p` (upper edge of the bucket).
    func percentileMillis(_ p: Double) -> Double {
        let n = total
        guard n > 0 else { return .nan }
        let want = max(1, Int((p / 100 * Double(n)).rounded(.up)))
        var seen = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= want { return Double(UInt64(i + 1) * Self.bucketNanos) / 1e6 }
        }
        return .nan
    }

    /// "i:c,i:c,..." for the non-empty buckets.
    var encoded: String {
        var parts: [String] = []
        for (i, c) in counts.enumerated() where c > 0 { parts.append("\(i):\(c)") }
        return parts.isEmpty ? "-" : parts.joined(separator: ",")
    }

    mutating func merge(encoded: Substring) {
        guard encoded != "-" else { return }
        for part in encoded.split(separator: ",") {
            let kv = part.split(separator: ":")
            if kv.count == 2, let i = Int(kv[0]), let c = Int(kv[1]), i >= 0, i < counts.count { counts[i] += c }
        }
    }
}

final class RateClient: IOHandler {
    enum Phase { case connecting, fetching, idle, busy, failed }
    let index: Int
    let loop: EventLoop
    let run: RateRun
    var fd: Int32 = -1
    var registration: Registration?
    var phase = Phase.connecting
    var request: [UInt8] = []
    var inbox: [UInt8] = []
    var sentAt: UInt64 = 0

    init(index: Int, loop: EventLoop, run: RateRun) {
        self.index = index
        self.loop = loop
        self.run = run
    }

    func connect() {
        fd = openClientSocket(port: run.options.port(for: index), source: run.options.source(for: index))
        guard fd >= 0 else { return fail() }
        registration = try? loop.register(fd: fd, interest: [.writable, .readable], handler: self)
        if registration == nil { fail() }
    }

    func handleIO(_ events: IOEvents) {
        if events.contains(.error) || events.contains(.hangup) { return fail() }
        if phase == .connecting && events.contains(.writable) {
            if let r = registration { try? loop.reregister(r, interest: [.readable]) }
            phase = .fetching
            send(run.firstRequest(index))
        }
        if events.contains(.readable) { read() }
    }

    @inline(__always)
    func send(_ bytes: [UInt8]) {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != bytes.count { fail() }
    }

    /// Sends the next request of the closed loop.
    func fire() {
        guard phase == .idle else { return }
        phase = .busy
        sentAt = monoNow()
        send(request)
    }

    private func read() {
        let buf = loop.readBuffer
        while true {
            let n = recv(fd, buf.baseAddress, buf.count, 0)
            if n == 0 { return fail() }
            if n < 0 { if errno == EAGAIN { break }; return fail() }
            guard let base = buf.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            if inbox.isEmpty {
                // Fast path: parse straight from the read buffer; keep only a partial tail.
                var off = 0
                while off < n, let r = HTTPPeek.response(UnsafeBufferPointer(start: base + off, count: n - off), validators: phase == .fetching) {
                    off += r.length
                    handle(r)
                    if phase == .failed { return }
                }
                if off < n { inbox.append(contentsOf: UnsafeBufferPointer(start: base + off, count: n - off)) }
            } else {
                inbox.append(contentsOf: UnsafeBufferPointer(start: base, count: n))
                while let r = HTTPPeek.response(inbox, validators: phase == .fetching) {
                    if r.length == inbox.count { inbox.removeAll(keepingCapacity: true) } else { inbox.removeFirst(r.length) }
                    handle(r)
                    if phase == .failed { return }
                }
            }
            if n < buf.count { break }
        }
    }

    private func handle(_ r: HTTPPeek.Response) {
        switch phase {
        case .fetching:
            guard r.status == 200, let tag = r.etag else { return fail() }
            request = run.loopRequest(index, etag: tag)
            phase = .idle
            run.ready(self)
        case .busy:
            phase = .idle
            run.completed(self, status: r.status, nanos: monoNow() &- sentAt)
        default:
            break
        }
    }

    func fail() {
        guard phase != .failed else { return }
        let wasSetup = phase == .connecting || phase == .fetching
        phase = .failed
        run.failed(self, duringSetup: wasSetup)
    }

    func close() {
        if let r = registration { loop.deregister(r) }
        registration = nil
        closeClientSocket(fd)
        fd = -1
    }
}

final class RateRun: ClientSet, @unchecked Sendable {
    // @unchecked: every field is touched only on `loop`.
    let options: BenchOptions
    let loop: EventLoop
    var clients: [RateClient] = []
    private var tokens: [String] = []
    private var readyCount = 0
    private var setupFailed = 0
    private var active = false
    private var requests = 0, s200 = 0, s304 = 0, sOther = 0, errors = 0
    private var otherStatuses: [Int: Int] = [:]
    private var histogram = LatencyHistogram()

    init(options: BenchOptions, loop: EventLoop) {
        self.options = options
        self.loop = loop
        if options.target == .gateway {
            let now = Int64(Date().timeIntervalSince1970)
            tokens = options.range.map { i in
                JWTSigner.sign(Claims(sub: "bench-r\(i)", role: .attendee, exp: now + 7200), kid: options.kid, secret: options.secret)
            }
        }
    }

    private var resource: String {
        options.target == .gateway ? "/v1/webinars/\(options.webinar)/state" : options.path
    }

    private func auth(_ index: Int) -> String {
        options.target == .gateway ? "Authorization: Bearer \(tokens[index - options.range.lowerBound])\r\n" : ""
    }

    func firstRequest(_ index: Int) -> [UInt8] {
        Array("GET \(resource) HTTP/1.1\r\nHost: bench\r\n\(auth(index))\r\n".utf8)
    }

    func loopRequest(_ index: Int, etag: String) -> [UInt8] {
        Array("GET \(resource) HTTP/1.1\r\nHost: bench\r\n\(auth(index))If-None-Match: \(etag)\r\n\r\n".utf8)
    }

    func ready(_ c: RateClient) { readyCount += 1 }

    func completed(_ c: RateClient, status: Int, nanos: UInt64) {
        guard active else { return }
        requests += 1
        switch status {
        case 200: s200 += 1
        case 304: s304 += 1
        default:
            sOther += 1
            otherStatuses[status, default: 0] += 1
        }
        histogram.add(nanos)
        c.fire()
    }

    func failed(_ c: RateClient, duringSetup: Bool) {
        if duringSetup { setupFailed += 1 } else if active { errors += 1 }
    }

    func handle(_ words: [Substring], reply: @escaping (String) -> Void) {
        switch words.first ?? "" {
        case "start":
            for i in options.range {
                let c = RateClient(index: i, loop: loop, run: self)
                clients.append(c)
                c.connect()
            }
            reply("ok")
        case "status":
            reply("status 0 0 0 \(setupFailed) \(readyCount + setupFailed)")
        case "rate":
            let seconds = Double(words.dropFirst().first ?? "") ?? options.seconds
            requests = 0; s200 = 0; s304 = 0; sOther = 0; errors = 0
            otherStatuses = [:]
            histogram = LatencyHistogram()
            active = true
            let t0 = monoNow()
            for c in clients { c.fire() }
            loop.schedule(after: UInt64(seconds * 1e9)) { [self] in
                active = false
                let elapsed = monoNow() - t0
                let others = otherStatuses.isEmpty ? "-" : otherStatuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
                reply("rate \(requests) \(s200) \(s304) \(sOther) \(errors) \(elapsed) \(histogram.encoded) \(others)")
            }
        default:
            reply("error unknown command")
        }
    }

    func closeAll() {
        for c in clients { c.close() }
        clients = []
    }
}
