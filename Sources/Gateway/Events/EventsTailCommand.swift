// `gateway events tail [--redis URL] [--from ID|0] [--count N] [--follow]`: prints events of the `wg:events`
// stream as JSON lines {"id", "event_id", "hook", "payload", "emitted_at"}, oldest first, and exits:
// without --from the last N (default 10) events, with --from the events after that entry id (`0`: from
// the start) up to N (default: all the stream holds). `--follow` (`-f`) waits for new events instead
// of exiting — from `$` (new events only) unless --from names where to start — and stops after N if
// given, else when interrupted. For a consumer that must not lose events use a consumer group
// (docs/events.md); this command is for ops and for wiring one up.
import Reactor
import RedisStore

public enum EventsTailCommand {
    public static let usage = "usage: gateway events tail [--redis URL] [--from ID|0] [--count N] [--follow]"
    /// Events printed by a plain `tail` (no --from, no --follow) when --count is not given.
    public static let defaultLastCount = 10
    /// Entries read per page (XRANGE/XREVRANGE COUNT, XREAD COUNT).
    static let pageEntries = 100

    /// Runs the tail; `emit` receives each line.
    /// - Throws: `ConfigurationError` for bad arguments or an unreachable Redis.
    public static func run(arguments: [String], environment: [String: String], emit: (String) -> Void) async throws(ConfigurationError) {
        var url = environment["GATEWAY_REDIS_URL"]
        var from: String?
        var limit: Int?
        var follow = false
        guard arguments.first == "tail" else { throw ConfigurationError(usage) }
        var i = 1
        while i < arguments.count {
            let v = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--follow", "-f":
                follow = true
                i += 1
                continue
            case "--redis": url = v
            case "--from":
                guard v == "$" || v == "0" || isEntryID(v) else { throw ConfigurationError("--from: expected an entry id (1700000000000-0), 0 or $, got '\(v)'") }
                from = v
            case "--count":
                guard let n = Int(v), n > 0 else { throw ConfigurationError("--count: expected a whole number above 0, got '\(v)'") }
                limit = n
            default: throw ConfigurationError("unknown option '\(arguments[i])'\n" + usage)
            }
            i += 2
        }
        if from == "$" && !follow { throw ConfigurationError("--from $ (new events only) needs --follow") }
        guard let url else { throw ConfigurationError("no Redis address: give --redis redis://host:port/db or set GATEWAY_REDIS_URL") }
        let address: RedisAddress
        do { address = try RedisAddress(parsing: url) } catch { throw ConfigurationError("--redis: \(error)") }
        let group: EventLoopGroup
        do { group = try EventLoopGroup(count: 1) } catch { throw ConfigurationError("cannot start: \(error)") }
        group.start()
        defer { group.stopAndWait() }
        let client = RedisClient(group: group, address: address)
        var printed = 0
        func show(_ entry: RedisReply) -> String? {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { return nil }
            var fields: [String: String] = [:]
            let kv = parts[1].array ?? []
            var j = 0
            while j + 1 < kv.count {
                if let k = kv[j].string, let v = kv[j + 1].string { fields[k] = v }
                j += 2
            }
            emit("{\"id\":\(JSONText.quoted(id)),\"event_id\":\(JSONText.quoted(fields["event_id"] ?? "")),\"hook\":\(JSONText.quoted(fields["hook"] ?? "")),\"payload\":\(fields["payload"] ?? "null"),\"emitted_at\":\(JSONText.quoted(fields["emitted_at"] ?? ""))}")
            printed += 1
            return id
        }
        do {
            try await client.waitUntilConnected(timeoutNanos: 3_000_000_000)
            guard follow else {
                guard let from else {
                    // The last N, oldest first.
                    let reply = try await client.command(["XREVRANGE", EventKeys.stream, "+", "-", "COUNT", String(limit ?? defaultLastCount)])
                    for entry in (reply.array ?? []).reversed() { _ = show(entry) }
                    return
                }
                // What the stream holds after `from`, up to N, then exit.
                var cursor = from == "0" ? "-" : "(" + from
                while limit.map({ printed < $0 }) ?? true {
                    let page = min(pageEntries, limit.map { $0 - printed } ?? pageEntries)
                    let reply = try await client.command(["XRANGE", EventKeys.stream, cursor, "+", "COUNT", String(page)])
                    let entries = reply.array ?? []
                    for entry in entries { if let id = show(entry) { cursor = "(" + id } }
                    if entries.count < page { return }
                }
                return
            }
            var last = from ?? "$"
            if last == "$" {
                // Resolve `$` once, so events arriving between two reads are not skipped.
                let info = try await client.command(["XREVRANGE", EventKeys.stream, "+", "-", "COUNT", "1"])
                last = info.array?.first?.array?.first?.string ?? "0"
            }
            while limit.map({ printed < $0 }) ?? true {
                let reply = try await client.command(["XREAD", "COUNT", String(pageEntries), "BLOCK", "2000", "STREAMS", EventKeys.stream, last],
                                                     timeoutNanos: 5_000_000_000)
                for stream in reply.array ?? [] {
                    for entry in stream.array?.last?.array ?? [] {
                        if let id = show(entry) { last = id }
                        if let l = limit, printed >= l { return }
                    }
                }
            }
        } catch {
            throw ConfigurationError("redis \(address): \(error)")
        }
    }

    /// `<ms>-<seq>` or `<ms>` (decimal), as stream entry ids are written.
    static func isEntryID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 20 && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) else { return false }
        return true
    }
}
