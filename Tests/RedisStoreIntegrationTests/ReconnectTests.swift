// Failure handling: the server is SIGKILLed while commands flow; a command outlives its deadline on a frozen server.
import GatewayTestSupport
import Glibc
import Reactor
@testable import RedisStore
import Testing

@Suite("Reconnect and deadlines", .timeLimit(.minutes(1)))
struct ReconnectTests {
    /// Sends INCR every 2 ms on the loop, whatever happened to the previous ones, and sorts outcomes.
    final class Pump: @unchecked Sendable {
        // @unchecked: touched only on the test's loop thread (reads go through `h.read`).
        var running = true
        var ok = 0
        var notConnected = 0
        var disconnected = 0
        var other: [String] = []
        var states: [RedisConnectionState] = []
        var okAfterRestart = 0
        var restarted = false

        func tick(_ connection: RedisConnection) {
            guard running else { return }
            connection.send(RedisCommand(["INCR", "flow"])) { [self] result in
                switch result {
                case .success(.integer):
                    ok += 1
                    if restarted { okAfterRestart += 1 }
                case .failure(let e) where e == .notConnected: notConnected += 1
                case .failure(let e) where e == .disconnected: disconnected += 1
                default: other.append("\(result)")
                }
            }
            connection.loop.schedule(after: 2_000_000) { [self] in tick(connection) }
        }
    }

    @Test func killedServerMidFlowThenRestartOnSameAddress() async throws {
        let h = try Harness(mode: .tcp)
        defer { h.shutdown() }
        let loop = h.loop
        let address = h.redis.address
        let pump = Pump()
        let box = LoopBox<RedisConnection?>(nil)
        await h.onLoop { done in
            let connection = RedisConnection(address: address, loop: loop)
            connection.onStateChange = { pump.states.append($0) }
            box.value = connection
            connection.start()
            pump.tick(connection)
            done(())
        }
        #expect(await h.eventually { pump.ok >= 20 })

        h.redis.kill()
        #expect(await h.eventually { pump.states.last == .disconnected && pump.notConnected >= 5 })
        // While down, a command fails at once, before any deadline.
        let whileDown: Result<RedisReply, RedisError> = await h.onLoop { done in
            box.value?.send(RedisCommand(["PING"])) { done($0) }
        }
        #expect(whileDown == .failure(.notConnected))

        await h.onLoop { done in
            pump.restarted = true
            done(())
        }
        try h.redis.restart()
        #expect(await h.eventually { pump.states.last == .connected && pump.okAfterRestart >= 20 })
        await h.onLoop { done in
            pump.running = false
            box.value?.close()
            done(())
        }
        let summary = await h.read { (pump.states, pump.other, pump.disconnected + pump.notConnected) }
        #expect(summary.0 == [.connected, .disconnected, .connected, .disconnected])  // the last from close()
        #expect(summary.1.isEmpty)
        #expect(summary.2 > 0)
    }

    /// Redis frozen (SIGSTOP: the socket stays open, nothing is answered), so nothing but the 100 ms
    /// deadline can end the first command; the one pipelined behind it goes down with the connection.
    @Test func commandDeadlineTimesOutAndTheConnectionRecovers() async throws {
        let h = try Harness()
        defer { h.shutdown() }
        let (client, states) = try await h.connectedClientRecordingStates()
        let loop = h.loop
        let pid = try #require(h.redis.pid)
        #expect(kill(pid, SIGSTOP) == 0)
        var resumed = false
        defer { if !resumed { _ = kill(pid, SIGCONT) } }
        let results: [Result<RedisReply, RedisError>] = await h.onLoop { done in
            let connection = client.connection(on: loop)
            let got = LoopBox([Result<RedisReply, RedisError>]())
            let finish: (Result<RedisReply, RedisError>) -> Void = { result in
                got.value.append(result)
                if got.value.count == 2 { done(got.value) }
            }
            connection.send(RedisCommand(["PING"]), timeoutNanos: 100_000_000, finish)
            // Pipelined behind the stuck command: it goes down with the connection.
            connection.send(RedisCommand(["PING"]), timeoutNanos: 5_000_000_000, finish)
        }
        #expect(results == [.failure(.timeout), .failure(.disconnected)])
        #expect(kill(pid, SIGCONT) == 0)
        resumed = true

        let pong = try await retrying { try await client.command(["PING"]) }
        #expect(pong == .status("PONG"))
        #expect(await h.read { states.value } == [.disconnected, .connected])
        await client.close()
    }
}
