// `gateway-bench fanout`: N parked polls, one change, how fast every poll hears of it.
// Loop thread: the clients. Orchestrator thread: confirm parked from the server's own gauge (never a
// sleep), fire the trigger, wait for every answer (bounded), read RSS and CPU from /proc, report.
import Foundation
import Gateway
import Reactor
import Synchronization

final class FanoutRun: @unchecked Sendable {
    // @unchecked: `clients` and the latency list are touched only on `loop`; counters are atomics.
    let options: BenchOptions
    let loop: EventLoop
    var clients: [PollClient] = []
    let parkedLocal = Atomic<Int>(0)
    let answeredCount = Atomic<Int>(0)
    let failedCount = Atomic<Int>(0)
    let ok200 = Atomic<Int>(0)
    let other = Atomic<Int>(0)
    var tokens: [String] = []

    init(options: BenchOptions, loop: EventLoop) {
        self.options = options
        self.loop = loop
        let now = Int64(Date().timeIntervalSince1970)
        tokens = (0..<options.count).map { i in
            JWTSigner.sign(Claims(sub: "bench-u\(i)", role: .attendee, exp: now + 7200), kid: options.kid, secret: options.secret)
        }
    }

    func request(index: Int, etag: String?) -> [UInt8] {
        var r = "GET /v1/webinars/\(options.webinar)/state?wait=\(options.waitSeconds) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(tokens[index])\r\n"
        if let etag { r += "If-None-Match: \(etag)\r\n" }
        r += "\r\n"
        return Array(r.utf8)
    }

    func answered(_ c: PollClient, status: Int) {
        if status == 200 { ok200.add(1, ordering: .relaxed) } else { other.add(1, ordering: .relaxed) }
        answeredCount.add(1, ordering: .relaxed)
    }

    func failed(_ c: PollClient) { failedCount.add(1, ordering: .relaxed) }

    /// Opens the connections in batches (one batch per loop pass) so the listen backlog never overflows.
    func openAll() {
        let batch = 256
        func step(_ from: Int) {
            let to = min(from + batch, options.count)
            for i in from..<to {
                let c = PollClient(index: i, loop: loop, run: self)
                clients.append(c)
                c.connect(to: options.port(for: i), from: "127.0.0.\(2 + i % options.sourceAddresses)")
            }
            if to < options.count { loop.schedule(after: 2_000_000) { step(to) } }
        }
        step(0)
    }

    func countParkedOnLoop() -> Int { clients.filter { $0.phase == .parked }.count }

    func latencies(since t0: UInt64) -> [Double] {
        clients.compactMap { c in c.answeredAt > t0 ? Double(c.answeredAt - t0) / 1e6 : nil }.sorted()
    }

    func reparkAll() {
        for c in clients { c.answeredAt = 0; c.repark() }
    }
}
