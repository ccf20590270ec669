// CLUSTER SLOTS parsing, MOVED patching and redirect parsing of the cluster router's slot map. No server.
@testable import RedisStore
import Testing

@Suite("Redis Cluster slot map")
struct ClusterSlotMapTests {
    private func range(_ start: Int64, _ end: Int64, _ host: String, _ port: Int64, replica: Int64? = nil) -> RedisReply {
        var fields: [RedisReply] = [.integer(start), .integer(end), .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id".utf8))])]
        if let replica { fields.append(.array([.bulk(Array(host.utf8)), .integer(replica), .bulk(Array("rid".utf8))])) }
        return .array(fields)
    }

    @Test func parsesClusterSlots() throws {
        let reply = RedisReply.array([
            range(0, 5460, "127.0.0.1", 7000, replica: 7003),
            range(5461, 10922, "127.0.0.1", 7001),
            range(10923, 16383, "", 7002),  // unknown endpoint: the node asked
        ])
        let map = try #require(RedisClusterSlotMap.parse(clusterSlots: reply, askedHost: "127.0.0.9"))
        #expect(map.coveredSlots == HashSlot.count)
        #expect(map.nodes == [RedisClusterNode(host: "127.0.0.1", port: 7000), RedisClusterNode(host: "127.0.0.1", port: 7001),
                              RedisClusterNode(host: "127.0.0.9", port: 7002)])
        #expect(map.owner(of: 0)?.port == 7000)
        #expect(map.owner(of: 5460)?.port == 7000)
        #expect(map.owner(of: 5461)?.port == 7001)
        #expect(map.owner(of: 16383)?.host == "127.0.0.9")
        #expect(map.owner(of: 16384) == nil && map.owner(of: -1) == nil)
    }

    @Test func partialMapsLeaveHoles() throws {
        let map = try #require(RedisClusterSlotMap.parse(clusterSlots: .array([range(100, 199, "10.0.0.1", 6379)]), askedHost: "x"))
        #expect(map.coveredSlots == 100)
        #expect(map.owner(of: 99) == nil && map.owner(of: 150)?.host == "10.0.0.1")
    }

    @Test(arguments: [
        RedisReply.status("OK"), .array([.integer(1)]), .array([.array([.integer(5), .integer(1), .array([.bulk(Array("127.0.0.1".utf8)), .integer(1)])])]),
        .array([.array([.integer(0), .integer(16384), .array([.bulk(Array("127.0.0.1".utf8)), .integer(1)])])]),
        .array([.array([.integer(0), .integer(10), .array([.bulk(Array("redis.example".utf8)), .integer(1)])])]),
        .array([.array([.integer(0), .integer(10), .array([.bulk(Array("127.0.0.1".utf8)), .integer(0)])])]),
    ])
    func rejectsMalformedReplies(_ reply: RedisReply) {
        #expect(RedisClusterSlotMap.parse(clusterSlots: reply, askedHost: "127.0.0.1") == nil)
    }

    @Test func movedPatchesOneSlotAndDropsUnusedNodes() throws {
        var map = try #require(RedisClusterSlotMap.parse(clusterSlots: .array([range(0, 0, "127.0.0.1", 7000), range(1, 16383, "127.0.0.1", 7001)]),
                                                         askedHost: "127.0.0.1"))
        let b = RedisClusterNode(host: "127.0.0.1", port: 7001)
        let c = RedisClusterNode(host: "127.0.0.1", port: 7002)
        map.assign(5, to: c)
        #expect(map.owner(of: 5) == c && map.owner(of: 6) == b && map.nodes.count == 3)
        map.assign(0, to: b)  // 7000 serves nothing now
        #expect(map.nodes == [b, c])
        #expect(map.owner(of: 0) == b && map.owner(of: 5) == c && map.coveredSlots == HashSlot.count)
    }

    @Test func parsesRedirectTargets() {
        #expect(RedisClusterNode.parseRedirect("127.0.0.1:7001", fallbackHost: "x") == RedisClusterNode(host: "127.0.0.1", port: 7001))
        #expect(RedisClusterNode.parseRedirect(":7001", fallbackHost: "127.0.0.5") == RedisClusterNode(host: "127.0.0.5", port: 7001))
        #expect(RedisClusterNode.parseRedirect("::1:7001", fallbackHost: "x") == RedisClusterNode(host: "::1", port: 7001))
        #expect(RedisClusterNode.parseRedirect("host.example:7001", fallbackHost: "x") == nil)
        #expect(RedisClusterNode.parseRedirect("127.0.0.1:0", fallbackHost: "x") == nil)
        #expect(RedisClusterNode.parseRedirect("127.0.0.1", fallbackHost: "x") == nil)
    }

    @Test func retryDelaysDoubleUpToTheCap() {
        let c = RedisClusterConfiguration(retryInitialDelayNanos: 10, retryMaxDelayNanos: 50)
        #expect((0..<5).map { c.retryDelay(attempt: $0) } == [10, 20, 40, 50, 50])
    }
}
