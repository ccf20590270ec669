// Helpers for the Redis Cluster tests: a private 3 primaries + 3 replicas cluster (EmbeddedRedisCluster)
// per test, a running one-loop group, one plain RedisClient per node for admin commands (CLUSTER SETSLOT,
// MIGRATE, GET on one node), and hops onto the loop. Polling goes through the shared wait helper.
import GatewayTestSupport
import Glibc
import Reactor
@testable import RedisStore
import Testing

/// A running cluster plus a loop group, torn down by `shutdown()`.
final class ClusterHarness: Sendable {
    let dir: String
    let cluster: EmbeddedRedisCluster
    let group: EventLoopGroup
    /// One single-server client per node (index as in `cluster.nodes`), for admin commands.
    let admins: [RedisClient]
    var loop: EventLoop { group.loops[0] }

    init() throws {
        dir = try makeTempDir()
        let cluster: EmbeddedRedisCluster
        do {
            cluster = try EmbeddedRedisCluster.start(stateDir: dir)
        } catch {
            Self.removeTree(dir)
            throw error
        }
        let group = try EventLoopGroup(count: 1)
        group.start()
        self.cluster = cluster
        self.group = group
        admins = cluster.nodes.map { RedisClient(group: group, address: $0.address) }
    }

    func shutdown() {
        group.stopAndWait()
        cluster.stop()
        Self.removeTree(dir)
    }

    /// Removes the cluster's root directory and its `node-i` directories (files one level deep each).
    private static func removeTree(_ dir: String) {
        for i in 0..<16 { removeTempDir("\(dir)/node-\(i)") }
        removeTempDir(dir)
    }

    /// A cluster client of this harness, ready (full map, every primary connected).
    func readyClient(_ configuration: RedisClusterConfiguration = .init()) async throws -> RedisClusterClient {
        let client = RedisClusterClient(group: group, address: cluster.address, configuration: configuration)
        try await client.waitUntilReady(timeoutNanos: 10_000_000_000)
        return client
    }

    /// The index in `cluster.nodes` of the node listening on `port`.
    func index(of node: RedisClusterNode?) -> Int? {
        guard let node else { return nil }
        return cluster.nodes.firstIndex { $0.address.endpoint == .tcp(host: node.host, port: node.port) }
    }

    /// The node index the client's router on the loop maps `key`'s slot to.
    func owner(_ client: RedisClusterClient, _ key: String) async -> Int? {
        let loop = self.loop
        let node = await read { client.connection(on: loop).owner(ofSlot: HashSlot.of(key)) }
        return index(of: node)
    }

    /// Reads a counter (or anything) of the client's router on the loop.
    func router<T: Sendable>(_ client: RedisClusterClient, _ body: @escaping @Sendable (RedisClusterConnection) -> T) async -> T {
        let loop = self.loop
        return await read { body(client.connection(on: loop)) }
    }

    /// A command on node `index` alone (no routing), after its admin connection is up.
    func admin(_ index: Int, _ args: [String]) async throws -> RedisReply {
        try await admins[index].waitUntilConnected(timeoutNanos: fiveSeconds)
        return try await admins[index].command(args)
    }

    /// The node's cluster id.
    func nodeID(_ index: Int) async throws -> String {
        try #require(try await admin(index, ["CLUSTER", "MYID"]).string)
    }

    /// Indexes of the nodes whose `INFO replication` says `role:master`.
    func primaries() -> [Int] {
        cluster.nodes.indices.filter { cluster.field($0, "replication", "role") == "master" }
    }

    /// The node whose replication master is node `primary`, if any.
    func replica(of primary: Int) -> Int? {
        guard case .tcp(_, let port) = cluster.nodes[primary].address.endpoint else { return nil }
        return cluster.nodes.indices.first { cluster.field($0, "replication", "master_port") == String(port) }
    }

    /// A key (`prefix` + n) whose slot node `index` serves, per the client's map.
    func key(servedBy index: Int, prefix: String, _ client: RedisClusterClient) async -> String {
        for n in 0..<10_000 {
            let key = "\(prefix)\(n)"
            if await owner(client, key) == index { return key }
        }
        return prefix
    }

    func onLoop<T: Sendable>(_ body: @escaping @Sendable (_ done: @escaping @Sendable (T) -> Void) -> Void) async -> T {
        await withCheckedContinuation { cont in
            loop.execute { body { cont.resume(returning: $0) } }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await onLoop { done in done(body()) }
    }
}
