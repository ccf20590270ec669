// EVALSHA with the NOSCRIPT fallback, across SCRIPT FLUSH and a server restart.
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing

@Suite("Lua scripts", .timeLimit(.minutes(1)))
struct ScriptTests {
    let script = RedisScript(name: "incrby", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")

    @Test func evalshaSurvivesScriptFlushAndRestart() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let (client, states) = try await h.connectedClientRecordingStates()
        let loop = h.loop
        @Sendable func fallbacks() -> Int { client.connection(on: loop).scriptFallbackCount }

        // Our SHA-1 is Redis's.
        #expect(try await client.command(["SCRIPT", "LOAD", script.source]).string == script.sha1)
        #expect(try await client.evalScript(script, keys: ["n"], args: ["5"]) == .integer(5))
        #expect(await h.read(fallbacks) == 0)

        _ = try await client.command(["SCRIPT", "FLUSH"])
        #expect(try await client.evalScript(script, keys: ["n"], args: ["5"]) == .integer(10))
        #expect(await h.read(fallbacks) == 1)
        #expect(try await client.evalScript(script, keys: ["n"], args: ["5"]) == .integer(15))
        #expect(await h.read(fallbacks) == 1)  // EVAL cached it again

        try h.redis.restart()  // empty server: no keys, no scripts
        #expect(await h.eventually { states.value.suffix(2) == [.disconnected, .connected] })
        #expect(try await client.evalScript(script, keys: ["n"], args: ["7"]) == .integer(7))
        #expect(await h.read(fallbacks) == 1)  // SCRIPT LOAD on reconnect made EVALSHA hit

        // A script error is an error reply, not a transport error; exactly one completion either way.
        let broken = RedisScript(name: "broken", source: "return redis.call('NOPE')")
        await #expect(throws: RedisError.server) { try await client.evalScript(broken) }
        await client.close()
    }

    @Test func evalScriptWhileDownFailsAtOnce() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let loop = h.loop
        let address = h.redis.address
        h.redis.kill()
        let script = self.script
        let result: Result<RedisReply, RedisError> = await h.onLoop { done in
            let connection = RedisConnection(address: address, loop: loop)
            connection.start()
            connection.evalScript(script, keys: ["n"], args: ["1"]) { result in
                connection.close()
                done(result)
            }
        }
        #expect(result == .failure(.notConnected))
    }
}
