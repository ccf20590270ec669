// The command connection against a real redis-server: pipelining, replies, refusals, the async facade.
import Reactor
@testable import RedisStore
import Testing

@Suite("RedisConnection pipelining", .timeLimit(.minutes(1)))
struct PipelineTests {
    @Test func tenThousandCommandsInOnePassCompleteInOrder() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let client = RedisClient(group: h.group, address: h.redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        let loop = h.loop
        let count = 10_000
        let writesBefore = await h.read { client.connection(on: loop).writeCalls }
        let values: [Int64] = await h.onLoop { done in
            let connection = client.connection(on: loop)
            let seen = LoopBox([Int64]())
            seen.value.reserveCapacity(count)
            for _ in 0..<count {  // all queued in this one loop pass, flushed at its end
                connection.send(RedisCommand(["INCR", "counter"])) { result in
                    seen.value.append((try? result.get())?.integer ?? -1)
                    if seen.value.count == count { done(seen.value) }
                }
            }
        }
        #expect(values == (1...Int64(count)).map { $0 })
        // Queued in one pass, written by one pass-end flush (plus EPOLLOUT rounds if the socket filled).
        let writes = await h.read { client.connection(on: loop).writeCalls } - writesBefore
        #expect(writes >= 1 && writes < 100)
        #expect(try await client.command(["GET", "counter"]).string == String(count))
        await client.close()
    }

    @Test func repliesOfEveryKindAndErrorReplies() async throws {
        let h = try Harness(mode: .tcp)
        defer { h.shutdown() }
        let client = RedisClient(group: h.group, address: h.redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        #expect(try await client.command(["SET", "k", "v"]) == .status("OK"))
        #expect(try await client.command(["GET", "k"]) == .bulk(Array("v".utf8)))
        #expect(try await client.command(["GET", "missing"]) == .null)
        #expect(try await client.command(["RPUSH", "l", "a", "b"]) == .integer(2))
        #expect(try await client.command(["LRANGE", "l", "0", "-1"]) == .array([.bulk([97]), .bulk([98])]))
        await #expect(throws: RedisError.server) { try await client.command(["INCR", "k"]) }

        // On the loop API an error reply is a successful round trip, and refused commands never go out.
        let loop = h.loop
        let direct: Result<RedisReply, RedisError> = await h.onLoop { done in
            client.connection(on: loop).send(RedisCommand(["INCR", "k"])) { done($0) }
        }
        #expect(direct.isErrorReply)
        let refused: Result<RedisReply, RedisError> = await h.onLoop { done in
            client.connection(on: loop).send(RedisCommand(["SUBSCRIBE", "x"])) { done($0) }
        }
        #expect(refused == .failure(.protocolError))
        let empty: Result<RedisReply, RedisError> = await h.onLoop { done in
            client.connection(on: loop).send(RedisCommand([String]())) { done($0) }
        }
        #expect(empty == .failure(.protocolError))
        #expect(try await client.command(["PING"]) == .status("PONG"))
        await client.close()
    }

    @Test func commandSentFromALaterPassEndHookIsNotLeftWaiting() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let client = RedisClient(group: h.group, address: h.redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        let loop = h.loop
        let started = MonotonicClock().nowNanos()
        let result: Result<RedisReply, RedisError> = await h.onLoop { done in
            let armed = LoopBox(true)
            // Runs after the connection's own pass-end flush; nothing else will wake the loop.
            loop.addPassEndHook {
                guard armed.value else { return }
                armed.value = false
                client.connection(on: loop).send(RedisCommand(["PING"])) { done($0) }
            }
        }
        #expect(result == .success(.status("PONG")))
        #expect(MonotonicClock().nowNanos() - started < 1_000_000_000)
        await client.close()
    }

    @Test func selectsTheDatabaseOfTheAddress() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        var address = h.redis.address
        address.database = 2
        let client = RedisClient(group: h.group, address: address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        _ = try await client.command(["SET", "where", "db2"])
        let db0 = RedisClient(group: h.group, address: h.redis.address)
        try await db0.waitUntilConnected(timeoutNanos: fiveSeconds)
        #expect(try await db0.command(["GET", "where"]) == .null)
        #expect(try await client.command(["GET", "where"]).string == "db2")
        await client.close()
        await db0.close()
    }
}

extension Result where Success == RedisReply {
    var isErrorReply: Bool {
        if case .success(.error) = self { return true }
        return false
    }
}
