// Fast unit tests of pure pieces: client address behind proxies, CIDR, percent-decoding, histogram,
// configuration loading (bad values refused with the setting named), ETag matching.
import Testing
@testable import Gateway
import HTTPServer

@Suite struct PureLogicTests {
    @Test func cidrContainment() throws {
        let net = try #require(CIDR("10.0.0.0/8"))
        #expect(net.contains("10.1.2.3"))
        #expect(!net.contains("11.0.0.1"))
        #expect(!net.contains("::1"))
        let one = try #require(CIDR("127.0.0.1"))
        #expect(one.contains("127.0.0.1") && !one.contains("127.0.0.2"))
        let v6 = try #require(CIDR("fd00::/8"))
        #expect(v6.contains("fd12::1") && !v6.contains("fe80::1"))
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("nonsense") == nil)
        #expect(CIDR("1.2.3.4/-1") == nil)
    }

    @Test func clientAddressBelievesForwardedForOnlyFromTrustedPeers() throws {
        let trusted = [try #require(CIDR("127.0.0.0/8")), try #require(CIDR("10.0.0.0/8"))]
        // Untrusted peer: its X-Forwarded-For is ignored.
        #expect(ClientAddress.of(peer: "203.0.113.9", forwardedFor: ["1.1.1.1"], trusted: trusted) == "203.0.113.9")
        // Trusted proxy: the rightmost address that is not a trusted proxy is the client.
        #expect(ClientAddress.of(peer: "127.0.0.1", forwardedFor: ["198.51.100.7, 10.1.1.1"], trusted: trusted) == "198.51.100.7")
        // A forged left-most entry cannot hide the real client.
        #expect(ClientAddress.of(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7"], trusted: trusted) == "198.51.100.7")
        // Garbage in the chain: fall back to the peer.
        #expect(ClientAddress.of(peer: "127.0.0.1", forwardedFor: ["not-an-ip"], trusted: trusted) == "127.0.0.1")
        // No trusted proxies configured: always the peer.
        #expect(ClientAddress.of(peer: "127.0.0.1", forwardedFor: ["1.1.1.1"], trusted: []) == "127.0.0.1")
    }

    @Test func percentDecoding() {
        #expect(PercentDecoding.decode("sess%3A42.a_b") == "sess:42.a_b")
        #expect(PercentDecoding.decode("plain") == "plain")
        #expect(PercentDecoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(PercentDecoding.decode("a+b") == "a+b")
        #expect(PercentDecoding.decode("bad%zz") == nil)
        #expect(PercentDecoding.decode("cut%4") == nil)
        #expect(PercentDecoding.decode("%ff%fe") == nil)  // not UTF-8
    }

    @Test func histogramBucketsAreCumulative() {
        var h = Histogram()
        for s in [0.00005, 0.003, 0.003, 0.7, 100.0] { h.observe(seconds: s) }
        #expect(h.count == 5)
        let text = h.lines("x")
        #expect(text.contains("x_bucket{le=\"0.0001\"} 1\n"))
        #expect(text.contains("x_bucket{le=\"0.005\"} 3\n"))
        #expect(text.contains("x_bucket{le=\"1.0\"} 4\n"))
        #expect(text.contains("x_bucket{le=\"+Inf\"} 5\n"))
        #expect(text.contains("x_count 5\n"))
        var m = Histogram()
        m.merge(h)
        m.merge(h)
        #expect(m.count == 10 && m.sum == h.sum * 2)
    }

    @Test(arguments: [
        (["--threads", "0"], "--threads"),
        (["--threads", "x"], "--threads"),
        (["--listen", "example.com:80"], "--listen"),
        (["--listen", "127.0.0.1:99999"], "--listen"),
        (["--max-wait", "-1"], "--max-wait"),
        (["--redis", "http://x"], "--redis"),
        (["--redis", "redis-cluster://127.0.0.1:7000,127.0.0.1:7001"], "not yet supported"),
        (["--jwt-keys", "nokey"], "--jwt-keys"),
        (["--trusted-proxies", "1.2.3.4/99"], "--trusted-proxies"),
        (["--drain-delay", "1e9"], "--drain-delay"),
        (["--bogus"], "unknown option"),
        (["--grace"], "--grace"),
        (["--webhook-ca-file", "/nonexistent/ca.pem"], "--webhook-ca-file"),
        (["--webhook-retry-schedule", "0,5x"], "--webhook-retry-schedule"),
        (["--webhook-timeout", "0"], "--webhook-timeout"),
        (["--webhook-claim-after", "10ms"], "--webhook-claim-after"),
        (["--webhook-disable-after", "soon"], "--webhook-disable-after"),
        (["--webhook-concurrency", "0"], "--webhook-concurrency"),
        (["--webhook-concurrency", "many"], "--webhook-concurrency"),
        (["--webhook-delivery", "maybe"], "--webhook-delivery"),
        (["--room-ttl", "30s"], "--room-ttl"),
        (["--room-ttl", "367d"], "--room-ttl"),
        (["--room-ttl", "1500ms"], "--room-ttl"),
        (["--once-mark-ttl", "forever"], "--once-mark-ttl"),
        (["--idempotency-ttl", "0"], "--idempotency-ttl"),
        (["--autowebinar-ttl", "-1d"], "--autowebinar-ttl"),
        (["--attendance-job-ttl", "0s"], "--attendance-job-ttl"),
        (["--stream-max-length", "999"], "--stream-max-length"),
        (["--stream-max-length", "lots"], "--stream-max-length"),
        (["--form-payload-max-bytes", "1"], "--form-payload-max-bytes"),
        (["--form-payload-max-bytes", "16777217"], "--form-payload-max-bytes"),
        (["--attendance-batch-size", "0"], "--attendance-batch-size"),
        (["--attendance-lease", "50ms"], "--attendance-lease"),
        (["--attendance-lease", "11m"], "--attendance-lease"),
    ])
    func badSettingsAreRefusedByName(_ args: [String], _ named: String) {
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationLoader.load(arguments: args, environment: [:], cores: 2) }
        do {
            _ = try ConfigurationLoader.load(arguments: args, environment: [:], cores: 2)
        } catch {
            #expect(error.description.contains(named), "\(error.description)")
        }
    }

    @Test func flagsWinOverEnvironmentAndEnvironmentIsRead() throws {
        let env = ["GATEWAY_THREADS": "3", "GATEWAY_MAX_WAIT": "12", "GATEWAY_REDIS_URL": "redis://127.0.0.1:6379/0", "GATEWAY_DEV": "1"]
        let c = try ConfigurationLoader.load(arguments: ["--threads", "5"], environment: env, cores: 2)
        #expect(c.threads == 5)
        #expect(c.maxWaitSeconds == 12)
        #expect(c.redisURL == "redis://127.0.0.1:6379/0")
        #expect(c.dev)
        #expect(try ConfigurationLoader.load(arguments: ["--listen", "localhost:8081"], environment: [:], cores: 2).listen.host == "127.0.0.1")
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationLoader.load(arguments: [], environment: ["GATEWAY_MAX_WAIT": "abc"], cores: 2) }
    }

    /// Every flag of `serve --help` stands apart from its description, in one column.
    @Test func serveHelpKeepsEveryFlagApartFromItsDescription() {
        let lines = ConfigurationLoader.helpText.split(separator: "\n").map(String.init)
        #expect(lines.count == ConfigurationLoader.options.count)
        let columns = Set(lines.map { line -> Int in
            let body = line.dropFirst(2)
            let name = body.prefix { $0 != " " }
            let rest = body.dropFirst(name.count)
            let value = rest.hasPrefix(" VALUE") ? 6 : 0
            #expect(rest.dropFirst(value).hasPrefix("  "), "\(line)")
            return 2 + name.count + value + rest.dropFirst(value).prefix { $0 == " " }.count
        })
        #expect(columns.count == 1, "one description column: \(columns)")
    }

    @Test func webhookFlagsReachTheConfiguration() throws {
        let c = try ConfigurationLoader.load(arguments: ["--webhook-concurrency", "4", "--webhook-delivery", "off", "--webhook-disable-after", "2h"],
                                             environment: [:], cores: 2)
        #expect(c.webhook.concurrencyPerSubscription == 4 && !c.webhook.deliver && c.webhook.settings.disableAfterMillis == 7_200_000)
        let d = try ConfigurationLoader.load(arguments: [], environment: [:], cores: 2)
        #expect(d.webhook.concurrencyPerSubscription == 32 && d.webhook.deliver && !d.webhook.allowPrivate)
    }

    @Test func eventAndKeyLifetimeFlagsReachTheConfiguration() throws {
        let c = try ConfigurationLoader.load(arguments: ["--room-ttl", "2d", "--once-mark-ttl", "90m", "--idempotency-ttl", "3600",
                                                         "--autowebinar-ttl", "7d", "--attendance-job-ttl", "12h", "--stream-max-length", "5000",
                                                         "--form-payload-max-bytes", "1024", "--attendance-batch-size", "50", "--attendance-lease", "1500ms"],
                                             environment: [:], cores: 2)
        #expect(c.events.roomTTLSeconds == 172_800 && c.events.onceMarkTTLSeconds == 5_400 && c.events.idempotencyTTLSeconds == 3_600)
        #expect(c.events.autoSessionTTLSeconds == 604_800 && c.attendance.doneJobTTLSeconds == 43_200)
        #expect(c.events.streamMaxLength == 5_000 && c.events.maxFormPayloadBytes == 1_024)
        #expect(c.attendance.batchSize == 50 && c.attendance.leaseMillis == 1_500)
        let e = try ConfigurationLoader.load(arguments: [], environment: ["GATEWAY_ROOM_TTL": "3d", "GATEWAY_STREAM_MAX_LENGTH": "2000"], cores: 2)
        #expect(e.events.roomTTLSeconds == 259_200 && e.events.streamMaxLength == 2_000)
        let d = try ConfigurationLoader.load(arguments: [], environment: [:], cores: 2)
        #expect(d.events.roomTTLSeconds == 30 * 86_400 && d.events.onceMarkTTLSeconds == 30 * 86_400 && d.events.idempotencyTTLSeconds == 86_400)
        #expect(d.events.autoSessionTTLSeconds == 30 * 86_400 && d.attendance.doneJobTTLSeconds == 7 * 86_400)
        #expect(d.events.streamMaxLength == 1_000_000 && d.events.maxFormPayloadBytes == 16_384)
        #expect(d.attendance.batchSize == 1_000 && d.attendance.leaseMillis == 3_000)
    }

    /// The permanent-key list matches exact names and `*` prefixes only.
    @Test func permanentKeysMatchByNameOrPrefix() {
        #expect(PermanentKeys.family(of: "wg:events")?.type == "stream")
        #expect(PermanentKeys.family(of: "wg:events:x") == nil)
        #expect(PermanentKeys.family(of: "wg:webhooks:sub:wh_1")?.type == "hash")
        #expect(PermanentKeys.family(of: "wg:{w:a}:room") == nil)
        #expect(PermanentKeys.family(of: "wg:{w:a}:once:entered:s1") == nil)
    }

    @Test func etagMatchingUsesWeakComparison() {
        #expect(ETagMatch.matches("\"r1l\"", "\"r1l\""))
        #expect(ETagMatch.matches("W/\"r1l\"", "\"r1l\""))
        #expect(ETagMatch.matches("\"x\", \"r1l\"", "\"r1l\""))
        #expect(ETagMatch.matches("*", "\"r1l\""))
        #expect(!ETagMatch.matches("\"r2l\"", "\"r1l\""))
        #expect(!ETagMatch.matches("r1l", "\"r1l\""))
    }
}
