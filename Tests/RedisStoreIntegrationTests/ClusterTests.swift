// RedisClusterConnection against a REAL Redis Cluster (3 primaries + 3 replicas on loopback, one per
// test): routing over all shards, single-slot scripts on each shard, MOVED after a slot moves, ASK during
// a migration, and a failover (SIGKILL of a primary) ridden out by the same client. Bounded: every wait
// polls with a deadline; no sleeps.
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing

@Suite("Redis Cluster integration", .serialized, .timeLimit(.minutes(2)))
struct ClusterTests {
    @Test func routesKeysOverEveryPrimary() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        #expect(await h.router(client) { $0.slotMap.coveredSlots } == HashSlot.count)
        #expect(await h.router(client) { $0.slotMap.nodes.count } == 3)

        let keys = (0..<300).map { "key:\($0)" }
        for (i, key) in keys.enumerated() {
            #expect(try await client.command(["SET", key, "v\(i)"], key: key) == .status("OK"))
        }
        var owners: [Int: Int] = [:]
        for (i, key) in keys.enumerated() {
            #expect(try await client.command(["GET", key], key: key).string == "v\(i)")
            let owner = try #require(await h.owner(client, key))
            owners[owner, default: 0] += 1
            // The value lives on the node the map names (asked directly, without routing).
            #expect(try await h.admin(owner, ["GET", key]).string == "v\(i)")
        }
        #expect(owners.count == 3, "keys reached \(owners)")
        #expect(Set(owners.keys) == Set(h.primaries()))
        var total: Int64 = 0
        for p in h.primaries() { total += try await h.admin(p, ["DBSIZE"]).integer ?? 0 }
        #expect(total == 300)

        // Keyless commands go to any primary.
        #expect(try await client.command(["PING"], key: nil) == .status("PONG"))
        #expect(try await client.command(["TIME"], key: nil).array?.count == 2)
        #expect(await h.router(client) { $0.movedRedirects } == 0)
        await client.close()
    }

    @Test func singleSlotScriptsRunOnEveryShard() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        let script = RedisScript(name: "pair", source: """
            redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1] .. '!')
            return redis.call('GET', KEYS[2])
            """)
        for primary in h.primaries() {
            let tag = await h.key(servedBy: primary, prefix: "room", client)
            let keys = ["{\(tag)}:a", "{\(tag)}:b"]
            #expect(try await client.evalScript(script, keys: keys, args: ["x\(primary)"]).string == "x\(primary)!")
            #expect(try await h.admin(primary, ["GET", keys[0]]).string == "x\(primary)")
            // SCRIPT FLUSH on that shard only: its connection's NOSCRIPT fallback answers.
            _ = try await h.admin(primary, ["SCRIPT", "FLUSH"])
            #expect(try await client.evalScript(script, keys: keys, args: ["y"]).string == "y!")
        }
        await client.close()
    }

    @Test func movedAfterASlotMovesRefreshesTheMap() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        let key = "moving-key"
        let slot = HashSlot.of(key)
        #expect(try await client.command(["SET", key, "before"], key: key) == .status("OK"))
        let source = try #require(await h.owner(client, key))
        let target = try #require(h.primaries().first { $0 != source })
        let refreshesBefore = await h.router(client) { $0.slotMapRefreshes }

        try await moveSlot(slot, keys: [key], from: source, to: target, h)

        #expect(try await client.command(["GET", key], key: key).string == "before")
        #expect(await h.router(client) { $0.movedRedirects } >= 1)
        #expect(await h.owner(client, key) == target)
        #expect(await GatewayTestSupport.eventually(seconds: 10) { await h.router(client) { $0.slotMapRefreshes } > refreshesBefore })
        #expect(try await client.command(["SET", key, "after"], key: key) == .status("OK"))
        #expect(try await h.admin(target, ["GET", key]).string == "after")
        await client.close()
    }

    @Test func askDuringAMigrationIsAnsweredWithAsking() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        let moved = "{migrating}:1", stayed = "{migrating}:2"
        let slot = HashSlot.of(moved)
        _ = try await client.command(["SET", moved, "one"], key: moved)
        _ = try await client.command(["SET", stayed, "two"], key: stayed)
        let source = try #require(await h.owner(client, moved))
        let target = try #require(h.primaries().first { $0 != source })
        let sourceID = try await h.nodeID(source), targetID = try await h.nodeID(target)
        _ = try await h.admin(target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID])
        _ = try await h.admin(source, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID])
        try await migrate(moved, from: source, to: target, h)

        // Without ASKING the importing node refuses the key; through the client it is found.
        await #expect(throws: RedisError.server) { try await h.admin(target, ["GET", moved]) }
        #expect(try await client.command(["GET", moved], key: moved).string == "one")
        #expect(await h.router(client) { $0.askRedirects } == 1)
        #expect(try await client.command(["GET", stayed], key: stayed).string == "two")
        let get = RedisScript(name: "get", source: "return redis.call('GET', KEYS[1])")
        #expect(try await client.evalScript(get, keys: [moved]).string == "one")
        #expect(await h.router(client) { $0.askRedirects } == 2)
        // ASK changes nothing in the map: the slot is still the source's.
        #expect(await h.owner(client, moved) == source)
        #expect(await h.router(client) { $0.movedRedirects } == 0)
        await client.close()
    }

    @Test func failoverIsRiddenOutWithoutANewClient() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        let key = "failover-key"
        let primary = try #require(await h.owner(client, key))
        let replica = try #require(h.replica(of: primary))
        #expect(await GatewayTestSupport.eventually(seconds: 15, interval: 0.05) {
            h.cluster.field(replica, "replication", "master_link_status") == "up"
        })
        _ = try await client.command(["SET", key, "kept"], key: key)
        #expect(try await client.command(["WAIT", "1", "2000"], key: key).integer == 1)  // on the replica too

        h.cluster.nodes[primary].kill()
        var failures: [RedisError] = []
        let value = try await retrying(seconds: 30, interval: 0.05) { () async throws -> String? in
            do {
                return try await client.command(["GET", key], key: key, timeoutNanos: 500_000_000).string
            } catch {
                if let e = error as? RedisError { failures.append(e) } else { Issue.record("\(error)") }
                throw error
            }
        }
        #expect(value == "kept")
        #expect(!failures.isEmpty, "the killed primary's window was never seen")
        // Only transport failures or CLUSTERDOWN replies while the replica was taking over.
        for failure in failures {
            #expect(failure.isTransport || failure.serverMessage?.hasPrefix("CLUSTERDOWN") == true, "\(failure)")
        }
        #expect(await h.owner(client, key) == replica)
        #expect(h.cluster.field(replica, "replication", "role") == "master")
        #expect(try await client.command(["SET", key, "after"], key: key) == .status("OK"))
        await client.close()
    }

    @Test func clusterDownIsRetriedWithinTheDeadline() async throws {
        let h = try ClusterHarness()
        defer { h.shutdown() }
        let client = try await h.readyClient()
        let key = "down-key"
        _ = try await client.command(["SET", key, "up"], key: key)
        let primaries = h.primaries()
        let owner = try #require(await h.owner(client, key))
        let orphan = try #require(primaries.first { $0 != owner })
        // Unassign one slot of another primary everywhere: with full coverage required the cluster is down.
        let slot = HashSlot.of(await h.key(servedBy: orphan, prefix: "orphan", client))
        for p in primaries { _ = try await h.admin(p, ["CLUSTER", "DELSLOTS", String(slot)]) }
        #expect(await GatewayTestSupport.eventually(seconds: 10) { h.cluster.field(owner, "cluster-info", "cluster_state") == "fail" })

        let answer = Task { try await client.command(["GET", key], key: key, timeoutNanos: 20_000_000_000).string }
        #expect(await GatewayTestSupport.eventually(seconds: 10) { await h.router(client) { $0.retriesScheduled } > 0 })
        _ = try await h.admin(orphan, ["CLUSTER", "ADDSLOTS", String(slot)])  // the slot is served again
        #expect(try await answer.value == "up")  // the same call, retried with backoff until the cluster was up
        await client.close()
    }

    // MARK: slot moves (the CLUSTER SETSLOT / MIGRATE procedure of the cluster spec)

    private func moveSlot(_ slot: Int, keys: [String], from source: Int, to target: Int, _ h: ClusterHarness) async throws {
        let sourceID = try await h.nodeID(source), targetID = try await h.nodeID(target)
        _ = try await h.admin(target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID])
        _ = try await h.admin(source, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID])
        for key in keys { try await migrate(key, from: source, to: target, h) }
        _ = try await h.admin(target, ["CLUSTER", "SETSLOT", String(slot), "NODE", targetID])
        _ = try await h.admin(source, ["CLUSTER", "SETSLOT", String(slot), "NODE", targetID])
        for other in h.primaries() where other != source && other != target {
            _ = try await h.admin(other, ["CLUSTER", "SETSLOT", String(slot), "NODE", targetID])
        }
    }

    private func migrate(_ key: String, from source: Int, to target: Int, _ h: ClusterHarness) async throws {
        guard case .tcp(let host, let port) = h.cluster.nodes[target].address.endpoint else { return }
        #expect(try await h.admin(source, ["MIGRATE", host, String(port), key, "0", "5000"]) == .status("OK"))
    }
}
