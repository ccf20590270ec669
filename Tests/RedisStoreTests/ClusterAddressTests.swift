// RedisClusterAddress parsing (seed lists, credentials, db 0 only) and RedisAddress's refusal of
// redis-cluster:// URLs. No server.
@testable import RedisStore
import Testing

@Suite("RedisClusterAddress parsing")
struct ClusterAddressTests {
    @Test func parsesSeedLists() throws {
        let one = try RedisClusterAddress(parsing: "redis-cluster://127.0.0.1:7000")
        #expect(one.seeds == [.tcp(host: "127.0.0.1", port: 7000)])
        #expect(one.password == nil && one.username == nil)

        let many = try RedisClusterAddress(parsing: "REDIS-CLUSTER://:s3cr%40t@127.0.0.1:7000,[::1]:7001,localhost:7002/0")
        #expect(many.seeds == [.tcp(host: "127.0.0.1", port: 7000), .tcp(host: "::1", port: 7001), .tcp(host: "127.0.0.1", port: 7002)])
        #expect(many.password == "s3cr@t" && many.username == nil)

        let user = try RedisClusterAddress(parsing: "redis-cluster://alice:pw@127.0.0.1:7000,127.0.0.1:7000/")
        #expect(user.username == "alice" && user.password == "pw")
        #expect(user.seeds.count == 1)  // duplicates dropped

        #expect(try RedisClusterAddress(parsing: "redis-cluster://127.0.0.1").seeds == [.tcp(host: "127.0.0.1", port: 6379)])
        #expect(RedisClusterAddress.isClusterURL("Redis-Cluster://x") && !RedisClusterAddress.isClusterURL("redis://x"))
    }

    @Test func nodeAddressesCarryTheCredentials() throws {
        let a = try RedisClusterAddress(parsing: "redis-cluster://bob:pw@127.0.0.1:7000")
        let node = a.node(host: "127.0.0.2", port: 7005)
        #expect(node.endpoint == .tcp(host: "127.0.0.2", port: 7005))
        #expect(node.username == "bob" && node.password == "pw" && node.database == 0)
        #expect(a.description == "redis-cluster://bob:***@127.0.0.1:7000")
        #expect(!a.description.contains("pw"))
    }

    @Test(arguments: [
        "", "redis://127.0.0.1:7000", "redis-cluster://", "redis-cluster:///0", "redis-cluster://127.0.0.1:7000/1",
        "redis-cluster://127.0.0.1:7000/x", "redis-cluster://127.0.0.1:7000,", "redis-cluster://,127.0.0.1:7000",
        "redis-cluster://127.0.0.1:7000,,127.0.0.1:7001", "redis-cluster://127.0.0.1:0", "redis-cluster://127.0.0.1:70000",
        "redis-cluster://127.0.0.1:abc", "redis-cluster://pass@127.0.0.1:7000", "redis-cluster://127.0.0.1:7000?x=1",
        "redis-cluster://[::1:7000", "redis-cluster://bad host:7000", "redis-cluster://:p%zz@127.0.0.1:7000",
        "redis-cluster://no-such-host.invalid:7000",
    ])
    func rejectsBadInput(_ url: String) {
        do {
            _ = try RedisClusterAddress(parsing: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error == .invalidAddress)
            #expect(error.description.hasPrefix("invalid Redis Cluster URL"), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func neverEchoesThePassword() {
        do {
            _ = try RedisClusterAddress(parsing: "redis-cluster://:topsecret@127.0.0.1:7000/3")
            Issue.record("accepted db 3")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }

    @Test func singleServerParserRefusesClusterURLs() {
        do {
            _ = try RedisAddress(parsing: "redis-cluster://127.0.0.1:7000")
            Issue.record("RedisAddress accepted a cluster URL")
        } catch {
            #expect(error == .invalidAddress)
            #expect(error.description.contains("redis-cluster://"))
        }
    }
}
