// The clients of one `fanout` process (the whole run, or one worker's share): N parked polls on one
// loop. Everything here runs on that loop; the orchestrator talks to it through `ClientSet.handle`.
import Foundation
import Gateway
import Reactor

final class FanoutRun: ClientSet, @unchecked Sendable {
    // @unchecked: every field is touched only on `loop`.
    let options: BenchOptions
    let loop: EventLoop
    var clients: [PollClient] = []
    private var tokens: [String] = []
    private var answeredCount = 0
    private var failedCount = 0
    private var ok200 = 0
    private var other = 0
    private var settledCount = 0
    private var next = 0
    private var openingNow = 0
    private var inOpen = false

    init(options: BenchOptions, loop: EventLoop) {
        self.options = options
        self.loop = loop
        let now = Int64(Date().timeIntervalSince1970)
        if options.target == .gateway {
            tokens = options.range.map { i in
                JWTSigner.sign(Claims(sub: "bench-u\(i)", role: .attendee, exp: now + 7200), kid: options.kid, secret: options.secret)
            }
        }
        next = options.range.lowerBound
    }

    func request(index: Int, etag: String?, lastModified: String?) -> [UInt8] {
        switch options.target {
        case .gateway:
            var r = "GET /v1/webinars/\(options.webinar)/state?wait=\(options.waitSeconds) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(tokens[index - options.range.lowerBound])\r\n"
            if let etag { r += "If-None-Match: \(etag)\r\n" }
            r += "\r\n"
            return Array(r.utf8)
        case .nchan, .staticFile:
            var r = "GET \(options.subPath) HTTP/1.1\r\nHost: bench\r\n"
            if let etag, !etag.isEmpty { r += "If-None-Match: \(etag)\r\n" }
            if let lastModified, !lastModified.isEmpty { r += "If-Modified-Since: \(lastModified)\r\n" }
            r += "\r\n"
            return Array(r.utf8)
        }
    }

    func answered(_ c: PollClient, status: Int) {
        if status == 200 { ok200 += 1 } else { other += 1 }
        answeredCount += 1
    }

    func failed(_ c: PollClient) { failedCount += 1 }

    /// A client left the opening window (parked, or failed).
    func settled() {
        settledCount += 1
        openingNow -= 1
        openMore()
    }

    /// Opens connections while fewer than `openWindow` are between connect and parked, so the
    /// listen backlog never overflows and the server is never handed more than it can take at once.
    func openMore() {
        guard !inOpen else { return }
        inOpen = true
        defer { inOpen = false }
        let end = options.range.upperBound
        while openingNow < options.openWindow && next < end {
            let i = next
            next += 1
            openingNow += 1
            let c = PollClient(index: i, loop: loop, run: self)
            clients.append(c)
            c.connect(to: options.port(for: i), from: options.source(for: i))
        }
    }

    func handle(_ words: [Substring], reply: @escaping (String) -> Void) {
        switch words.first ?? "" {
        case "start":
            clients.reserveCapacity(options.range.count)
            openMore()
            reply("ok")
        case "status":
            reply("status \(answeredCount) \(ok200) \(other) \(failedCount) \(settledCount)")
        case "round":
            answeredCount = 0; ok200 = 0; other = 0
            for c in clients { c.answeredAt = 0 }
            reply("ok")
        case "times":
            var s = "times"
            s.reserveCapacity(clients.count * 16)
            for c in clients where c.answeredAt > 0 { s += " "; s += String(c.answeredAt) }
            reply(s)
        case "repark":
            for c in clients { c.repark() }
            reply("ok")
        default:
            reply("error unknown command")
        }
    }

    func closeAll() {
        for c in clients { c.close() }
        clients = []
    }
}
