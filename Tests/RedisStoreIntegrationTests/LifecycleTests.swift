// Exactly-once completions under teardown, closing from inside a completion, and AUTH.
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing

@Suite("Connection lifecycle", .timeLimit(.minutes(1)))
struct LifecycleTests {
    @Test func serverKilledUnderAFullPipelineCompletesEveryCommandOnce() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let client = RedisClient(group: h.group, address: h.redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        let loop = h.loop
        let count = 20_000
        let outcome = LoopBox((calls: [Int](repeating: 0, count: count), ok: 0, dropped: 0, other: [String]()))
        await h.onLoop { done in
            let connection = client.connection(on: loop)
            for i in 0..<count {
                connection.send(RedisCommand(["INCR", "n"])) { result in
                    outcome.value.calls[i] += 1
                    switch result {
                    case .success(.integer): outcome.value.ok += 1
                    case .failure(let e) where e == .disconnected || e == .notConnected: outcome.value.dropped += 1
                    default: outcome.value.other.append("\(result)")
                    }
                }
            }
            done(())
        }
        h.redis.kill()  // races the loop: some replies arrive, the rest are dropped
        #expect(await h.eventually { outcome.value.ok + outcome.value.dropped + outcome.value.other.count == count })
        let final = await h.read { outcome.value }
        #expect(final.calls.allSatisfy { $0 == 1 })
        #expect(final.other.isEmpty)
        await client.close()
    }

    @Test func closingFromInsideACompletion() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let loop = h.loop
        let address = h.redis.address
        let box = LoopBox<RedisConnection?>(nil)
        let states = LoopBox([RedisConnectionState]())
        await h.onLoop { done in
            let connection = RedisConnection(address: address, loop: loop)
            connection.onStateChange = { states.value.append($0) }
            box.value = connection
            connection.start()
            connection.waitForConnection(timeoutNanos: fiveSeconds) { _ in done(()) }
        }
        let results: [String] = await h.onLoop { done in
            guard let connection = box.value else { return done(["no connection"]) }
            let log = LoopBox([String]())
            func note(_ name: String, _ result: Result<RedisReply, RedisError>) {
                switch result {
                case .success(let reply): log.value.append("\(name):\(reply.string ?? "?")")
                case .failure(let e): log.value.append("\(name):\(e == .disconnected ? "disconnected" : e == .notConnected ? "notConnected" : "\(e)")")
                }
                if log.value.count == 4 { done(log.value) }
            }
            connection.send(RedisCommand(["PING", "a"])) { result in
                note("a", result)
                connection.close()  // inside a hiredis callback: the free is deferred until it returns
                connection.send(RedisCommand(["PING", "late"])) { note("late", $0) }
            }
            connection.send(RedisCommand(["PING", "b"])) { note("b", $0) }
            connection.send(RedisCommand(["PING", "c"])) { note("c", $0) }
        }
        // "a" answered; "late" refused at once (closed); "b" and "c" dropped when the deferred free ran.
        #expect(results == ["a:a", "late:notConnected", "b:disconnected", "c:disconnected"])
        #expect(await h.read { states.value } == [.connected, .disconnected])
        // Closed for good: no reconnect.
        #expect(await h.read { box.value?.isConnected } == false)
    }

    @Test func authenticatesAndKeepsRetryingWithAWrongPassword() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let admin = RedisClient(group: h.group, address: h.redis.address)
        try await admin.waitUntilConnected(timeoutNanos: fiveSeconds)
        _ = try await admin.command(["CONFIG", "SET", "requirepass", "s3cret"])

        var good = h.redis.address
        good.password = "s3cret"
        let goodAddress = good
        let client = RedisClient(group: h.group, address: good)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        #expect(try await client.command(["SET", "k", "v"]) == .status("OK"))

        var bad = h.redis.address
        bad.password = "wrong"
        let refused = RedisClient(group: h.group, address: bad, configuration: .init(reconnectMaxDelayNanos: 100_000_000))
        await #expect(throws: RedisError.notConnected) { try await refused.waitUntilConnected(timeoutNanos: 500_000_000) }
        await #expect(throws: RedisError.notConnected) { try await refused.command(["GET", "k"]) }

        // The subscriber authenticates before it subscribes.
        let loop = h.loop
        let sub = LoopBox<RedisSubscriber?>(nil)
        let got = LoopBox([String]())
        await h.onLoop { done in
            let s = RedisSubscriber(address: goodAddress, loop: loop)
            sub.value = s
            s.subscribe("c", confirmed: { done(()) }) { got.value.append(String(decoding: $0, as: UTF8.self)) }
            s.start()
        }
        #expect(try await client.command(["PUBLISH", "c", "hi"]) == .integer(1))
        #expect(await h.eventually { got.value == ["hi"] })
        await h.onLoop { done in
            sub.value?.close()
            done(())
        }
        await refused.close()
        await client.close()
        await admin.close()
    }
}
