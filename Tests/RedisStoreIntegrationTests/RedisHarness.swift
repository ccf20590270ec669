// Helpers for the RedisStore tests: a private redis-server per test, a running loop, hops onto it, and
// bounded polling through GatewayTestSupport's wait helper (never a bare sleep waiting for something).
import GatewayTestSupport
import Glibc
import Reactor
@testable import RedisStore
import Testing

/// Loop-confined mutable state shared between test code and loop callbacks.
final class LoopBox<T>: @unchecked Sendable {
    // @unchecked: mutated only on the test's single loop thread; read by the test after a hop to it.
    var value: T
    init(_ value: T) { self.value = value }
}

/// A fresh temporary directory.
func makeTempDir() throws -> String {
    var template = Array("/tmp/redisstore-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buf in buf.baseAddress.flatMap { mkdtemp($0) } }
    guard made != nil else { throw RedisError.embeddedServer("mkdtemp failed") }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Removes a test directory (files one level deep: redis.log, redis.stdout, the socket).
func removeTempDir(_ dir: String) {
    if let d = opendir(dir) {
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { unlink(dir + "/" + name) }
        }
        closedir(d)
    }
    rmdir(dir)
}

/// A running one-loop group plus a private redis-server, torn down by `shutdown()`.
final class Harness: Sendable {
    let dir: String
    let redis: EmbeddedRedis
    let group: EventLoopGroup
    var loop: EventLoop { group.loops[0] }

    init(mode: Mode = .unix, extraArguments: [String] = []) throws {
        dir = try makeTempDir()
        let m: EmbeddedRedis.Mode = mode == .unix ? .unixSocket(dir + "/r.sock") : .tcpLoopback
        redis = try EmbeddedRedis.start(stateDir: dir, mode: m, extraArguments: extraArguments)
        group = try EventLoopGroup(count: 1)
        group.start()
    }

    enum Mode { case unix, tcp }

    func shutdown() {
        group.stopAndWait()
        redis.stop()
        removeTempDir(dir)
    }

    /// A client of this harness's Redis, connected, whose loop-0 connection records its state changes
    /// (read them with `read { states.value }`).
    func connectedClientRecordingStates() async throws -> (RedisClient, LoopBox<[RedisConnectionState]>) {
        let client = RedisClient(group: group, address: redis.address)
        try await client.waitUntilConnected(timeoutNanos: fiveSeconds)
        let loop = self.loop
        let states = LoopBox([RedisConnectionState]())
        await onLoop { done in
            client.connection(on: loop).onStateChange = { states.value.append($0) }
            done(())
        }
        return (client, states)
    }

    /// Runs `body` on the loop and waits for it to call `done` once.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (_ done: @escaping @Sendable (T) -> Void) -> Void) async -> T {
        await withCheckedContinuation { cont in
            loop.execute { body { cont.resume(returning: $0) } }
        }
    }

    /// Reads a value on the loop.
    func read<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await onLoop { done in done(body()) }
    }

    /// Polls `condition` (read on the loop) every 10 ms until it holds or `seconds` pass (the shared
    /// wait helper, each poll a hop onto the loop).
    func eventually(seconds: Double = 10, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        await GatewayTestSupport.eventually(seconds: seconds, interval: 0.01) { await read(condition) }
    }
}

/// Seconds as test deadlines in nanoseconds.
let fiveSeconds: UInt64 = 5_000_000_000
