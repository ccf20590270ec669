// RedisSubscriber: delivery, unsubscribe, re-subscribe after the server dies and comes back.
import GatewayTestSupport
import Reactor
@testable import RedisStore
import Testing

@Suite("Pub/sub", .timeLimit(.minutes(1)))
struct PubSubTests {
    /// Loop-side record of what the subscriber saw.
    final class Seen: @unchecked Sendable {
        // @unchecked: mutated and read only on the test's loop thread (reads go through `h.read`).
        var messages: [String: [String]] = [:]
        var resubscribed = 0
        var states: [RedisConnectionState] = []
    }

    @Test func deliversUnsubscribesAndResubscribesAfterReconnect() async throws {
        let h = try Harness(mode: .tcp)
        defer { h.shutdown() }
        let client = RedisClient(group: h.group, address: h.redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        let loop = h.loop
        let address = h.redis.address
        let box = LoopBox<(RedisSubscriber?, Seen)>((nil, Seen()))
        @Sendable func subscriber() -> RedisSubscriber? { box.value.0 }
        let seen = box.value.1

        await h.onLoop { done in
            let s = RedisSubscriber(address: address, loop: loop)
            s.onResubscribed = { seen.resubscribed += 1 }
            s.onStateChange = { seen.states.append($0) }
            box.value.0 = s
            s.start()
            done(())
        }
        #expect(await h.eventually { subscriber()?.isConnected == true && seen.resubscribed == 1 })

        @Sendable func subscribe(_ channel: String) async {
            await h.onLoop { done in
                subscriber()?.subscribe(channel, confirmed: { done(()) }) { payload in
                    seen.messages[channel, default: []].append(String(decoding: payload, as: UTF8.self))
                }
            }
        }
        await subscribe("news")
        await subscribe("sport")
        #expect(try await client.command(["PUBLISH", "news", "hello"]) == .integer(1))
        #expect(try await client.command(["PUBLISH", "sport", "goal"]) == .integer(1))
        #expect(await h.eventually { seen.messages == ["news": ["hello"], "sport": ["goal"]] })

        // Unsubscribe: the handler stops at once, the server forgets the channel soon after.
        await h.onLoop { done in
            subscriber()?.unsubscribe("news")
            done(())
        }
        let receivers = try await retrying {
            let n = try await client.command(["PUBLISH", "news", "after-unsubscribe"])
            guard n == .integer(0) else { throw RedisError.timeout }
            return n
        }
        #expect(receivers == .integer(0))
        #expect(try await client.command(["PUBLISH", "sport", "second"]) == .integer(1))
        #expect(await h.eventually { seen.messages["sport"] == ["goal", "second"] })
        #expect(await h.read { seen.messages["news"] } == ["hello"])
        // Unsubscribe then subscribe again in one pass (the server's count for the channel dips to 0).
        await h.onLoop { done in
            subscriber()?.unsubscribe("sport")
            subscriber()?.subscribe("sport", confirmed: { done(()) }) { payload in
                seen.messages["sport", default: []].append(String(decoding: payload, as: UTF8.self))
            }
        }
        #expect(try await client.command(["PUBLISH", "sport", "third"]) == .integer(1))
        #expect(await h.eventually { seen.messages["sport"] == ["goal", "second", "third"] })

        // The server dies and comes back on the same address: everything is subscribed again.
        h.redis.kill()
        #expect(await h.eventually { subscriber()?.isConnected == false })
        try h.redis.restart()
        #expect(await h.eventually { seen.resubscribed == 2 && subscriber()?.isConnected == true })
        #expect(await h.read { seen.states } == [.connected, .disconnected, .connected])
        let delivered = try await retrying { try await client.command(["PUBLISH", "sport", "after-restart"]) }
        #expect(delivered == .integer(1))
        #expect(await h.eventually { seen.messages["sport"]?.last == "after-restart" })
        #expect(await h.read { subscriber()?.channels } == ["sport"])

        await h.onLoop { done in
            subscriber()?.close()
            done(())
        }
        await client.close()
    }
}
