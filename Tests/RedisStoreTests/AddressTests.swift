// RedisAddress parsing (startup config validation) and EmbeddedRedis's missing-binary message. No server.
@testable import RedisStore
import Testing

@Suite("RedisAddress parsing")
struct AddressTests {
    @Test func parsesTCPForms() throws {
        let plain = try RedisAddress(parsing: "redis://127.0.0.1:6380")
        #expect(plain.endpoint == .tcp(host: "127.0.0.1", port: 6380))
        #expect(plain.password == nil && plain.username == nil && plain.database == 0)

        let full = try RedisAddress(parsing: "redis://:s3cr%40t@127.0.0.1:7000/3")
        #expect(full.endpoint == .tcp(host: "127.0.0.1", port: 7000))
        #expect(full.password == "s3cr@t")
        #expect(full.username == nil)
        #expect(full.database == 3)

        let user = try RedisAddress(parsing: "REDIS://alice:pw@127.0.0.1:7000/")
        #expect(user.username == "alice" && user.password == "pw" && user.database == 0)

        #expect(try RedisAddress(parsing: "redis://[::1]:6379/2").endpoint == .tcp(host: "::1", port: 6379))
        #expect(try RedisAddress(parsing: "redis://localhost:6379").endpoint == .tcp(host: "127.0.0.1", port: 6379))
        #expect(try RedisAddress(parsing: "redis://127.0.0.1").endpoint == .tcp(host: "127.0.0.1", port: RedisAddress.defaultPort))
    }

    @Test func parsesUnixForms() throws {
        let a = try RedisAddress(parsing: "unix:///run/redis/redis.sock")
        #expect(a.endpoint == .unix(path: "/run/redis/redis.sock"))
        #expect(a.database == 0)
        let b = try RedisAddress(parsing: "unix:///tmp/r.sock?db=5&password=p%26q")
        #expect(b.endpoint == .unix(path: "/tmp/r.sock"))
        #expect(b.database == 5)
        #expect(b.password == "p&q")
    }

    @Test(arguments: [
        "", "http://127.0.0.1:6379", "redis://", "redis://:6379", "redis://127.0.0.1:0", "redis://127.0.0.1:70000",
        "redis://127.0.0.1:abc", "redis://127.0.0.1:6379/x", "redis://127.0.0.1:6379/-1", "redis://[::1:6379",
        "redis://[not-v6]:6379", "redis://pass@127.0.0.1:6379", "redis://127.0.0.1:6379/0?x=1", "redis://:p%zz@127.0.0.1",
        "redis://bad host:6379", "redis://no-such-host.invalid:6379", "unix://", "unix://relative/path",
        "unix:///tmp/r.sock?db=abc", "unix:///tmp/r.sock?color=red", "unix:///tmp/r.sock?db",
    ])
    func rejectsBadInput(_ url: String) {
        do {
            _ = try RedisAddress(parsing: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error == .invalidAddress)
            #expect(error.description.hasPrefix("invalid Redis URL"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func neverEchoesThePassword() throws {
        let a = try RedisAddress(parsing: "redis://:topsecret@127.0.0.1:6379/1")
        #expect(!a.description.contains("topsecret"))
        do {
            _ = try RedisAddress(parsing: "redis://:topsecret@127.0.0.1:99999")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }

    @Test func missingRedisServerIsOneClearLine() {
        do {
            _ = try EmbeddedRedis.locate(nil, searchDirectories: ["/nonexistent-dir-for-test"])
            Issue.record("found a redis-server where there is none")
        } catch {
            #expect(error.description == "redis-server not found: install it with 'apt-get install redis-server'")
        }
    }
}
