// Reads `wg:events` as one consumer of the `webhooks` group, on its own Redis connection (XREADGROUP
// blocks there, never on the loop's shared command connection). It creates the group at the stream's end
// when missing (events emitted before any node delivered webhooks are not sent), hands each batch of
// entries to `handle` and reads the next batch only when `handle` says the batch is fanned out, so an
// entry is acknowledged only after its deliveries exist in Redis. Entries another consumer read but never
// acknowledged (its node died) are taken over with XAUTOCLAIM after `idleMillis`.
import Reactor
import RedisStore

/// One stream entry: its id and fields.
struct StreamEntry: Equatable, Sendable {
    let id: String
    let fields: [(String, [UInt8])]

    static func == (a: StreamEntry, b: StreamEntry) -> Bool {
        a.id == b.id && a.fields.map(\.0) == b.fields.map(\.0) && a.fields.map(\.1) == b.fields.map(\.1)
    }
}

/// The consumer-group reader of one node (its loop only).
final class WebhookStreamReader {
    let stream: String
    private let connection: RedisConnection
    private let consumer: String
    private let batch: Int
    private let blockMillis: Int
    private var stopped = false

    init(stream: String, connection: RedisConnection, consumer: String, batch: Int, blockMillis: Int) {
        self.stream = stream
        self.connection = connection
        self.consumer = consumer
        self.batch = batch
        self.blockMillis = blockMillis
    }

    /// Creates the group if needed (at the stream's end), then calls `ready`. Entries appended from then on
    /// wait in the stream for `run`.
    func prepare(_ ready: @escaping () -> Void) {
        ensureGroup(ready)
    }

    /// Reads until `stop()` (after `prepare`); `handle(entries, next)` must call `next()` once the batch is
    /// fanned out.
    func run(_ handle: @escaping ([StreamEntry], @escaping () -> Void) -> Void) {
        read(handle)
    }

    func stop() {
        stopped = true
        connection.close()
    }

    /// Entries other consumers have held for at least `idleMillis` (dead nodes), moved to this consumer.
    func takeOver(idleMillis: Int64, on commands: RedisConnection, _ done: @escaping ([StreamEntry]) -> Void) {
        commands.send(RedisCommand(["XAUTOCLAIM", stream, WebhookQueueKeys.consumerGroup, consumer, String(idleMillis), "0-0",
                                    "COUNT", String(batch)])) { result in
            guard case .success(let reply) = result, let parts = reply.array, parts.count >= 2 else { return done([]) }
            done(Self.entries(parts[1]))
        }
    }

    private func ensureGroup(_ then: @escaping () -> Void) {
        guard !stopped else { return }
        connection.send(RedisCommand(["XGROUP", "CREATE", stream, WebhookQueueKeys.consumerGroup, "$", "MKSTREAM"])) { [self] result in
            switch result {
            case .success(.error(let message)) where !message.hasPrefix("BUSYGROUP"):
                retry { self.ensureGroup(then) }
            case .failure:
                retry { self.ensureGroup(then) }
            default:
                then()
            }
        }
    }

    private func read(_ handle: @escaping ([StreamEntry], @escaping () -> Void) -> Void) {
        guard !stopped else { return }
        let command = RedisCommand(["XREADGROUP", "GROUP", WebhookQueueKeys.consumerGroup, consumer, "COUNT", String(batch),
                                    "BLOCK", String(blockMillis), "STREAMS", stream, ">"])
        connection.send(command, timeoutNanos: UInt64(blockMillis + 5_000) * 1_000_000) { [self] result in
            guard !stopped else { return }
            switch result {
            case .success(.error(let message)):
                // NOGROUP after a Redis restart that lost the group: make it again.
                retry { message.hasPrefix("NOGROUP") ? self.ensureGroup { self.read(handle) } : self.read(handle) }
            case .failure:
                retry { self.read(handle) }
            case .success(let reply):
                let entries = reply.array?.first?.array.flatMap { $0.count > 1 ? Self.entries($0[1]) : nil } ?? []
                if entries.isEmpty { return read(handle) }
                handle(entries) { self.read(handle) }
            }
        }
    }

    /// Tries again: at once when the connection comes (back) up — no timer, so a node on a test's manual
    /// clock still gets its group — and after a pause for an error reply on a live connection.
    private func retry(_ body: @escaping () -> Void) {
        if !connection.isConnected {
            return connection.waitForConnection(timeoutNanos: 60_000_000_000) { [weak self] up in
                guard let self, !self.stopped else { return }
                if up { body() } else { self.retry(body) }
            }
        }
        connection.loop.schedule(after: 200_000_000) { [weak self] in
            guard let self, !self.stopped else { return }
            body()
        }
    }

    /// `[[id, [field, value, ...]], ...]` → entries (malformed items are left out).
    static func entries(_ reply: RedisReply) -> [StreamEntry] {
        (reply.array ?? []).compactMap { item in
            guard let pair = item.array, pair.count == 2, let id = pair[0].string, let flat = pair[1].array else { return nil }
            var fields: [(String, [UInt8])] = []
            var i = 0
            while i + 1 < flat.count {
                if let k = flat[i].string, let v = flat[i + 1].bytes { fields.append((k, v)) }
                i += 2
            }
            return StreamEntry(id: id, fields: fields)
        }
    }
}
