// `gateway events tail [--redis URL] [--from ID] [--count N]`: follows the `wg:events` stream and prints
// each event as one JSON line {"id", "event_id", "hook", "payload", "emitted_at"}. Starts at new events
// (`$`) unless --from names an entry id (`0` for the whole stream); stops after N events if given,
// else runs until interrupted. For a consumer that must not lose events use a consumer group
// (docs/events.md); this command is for ops and for wiring one up.
import Reactor
import RedisStore

public enum EventsTailCommand {
    public static let usage = "usage: gateway events tail [--redis URL] [--from ID|$|0] [--count N]"

    /// Runs the tail; `emit` receives each line.
    /// - Throws: `ConfigurationError` for bad arguments or an unreachable Redis.
    public static func run(arguments: [String], environment: [String: String], emit: (String) -> Void) async throws(ConfigurationError) {
        var url = environment["GATEWAY_REDIS_URL"]
        var from = "$"
        var limit: Int?
        var i = 0
        guard arguments.first == "tail" else { throw ConfigurationError(usage) }
        i = 1
        while i < arguments.count {
            let v = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--redis": url = v
            case "--from": from = v
            case "--count":
                guard let n = Int(v), n > 0 else { throw ConfigurationError("--count: expected a whole number above 0, got '\(v)'") }
                limit = n
            default: throw ConfigurationError("unknown option '\(arguments[i])'\n" + usage)
            }
            i += 2
        }
        guard let url else { throw ConfigurationError("no Redis address: give --redis redis://host:port/db or set GATEWAY_REDIS_URL") }
        let address: RedisAddress
        do { address = try RedisAddress(parsing: url) } catch { throw ConfigurationError("--redis: \(error)") }
        let group: EventLoopGroup
        do { group = try EventLoopGroup(count: 1) } catch { throw ConfigurationError("cannot start: \(error)") }
        group.start()
        defer { group.stopAndWait() }
        let client = RedisClient(group: group, address: address)
        var last = from
        var printed = 0
        do {
            try await client.waitUntilConnected(timeoutNanos: 3_000_000_000)
            if last == "$" {
                // Resolve `$` once, so events arriving between two reads are not skipped.
                let info = try await client.command(["XREVRANGE", EventKeys.stream, "+", "-", "COUNT", "1"])
                last = info.array?.first?.array?.first?.string ?? "0"
            }
            while limit.map({ printed < $0 }) ?? true {
                let reply = try await client.command(["XREAD", "COUNT", "100", "BLOCK", "2000", "STREAMS", EventKeys.stream, last],
                                                     timeoutNanos: 5_000_000_000)
                for stream in reply.array ?? [] {
                    for entry in stream.array?.last?.array ?? [] {
                        guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { continue }
                        last = id
                        var fields: [String: String] = [:]
                        let kv = parts[1].array ?? []
                        var j = 0
                        while j + 1 < kv.count {
                            if let k = kv[j].string, let v = kv[j + 1].string { fields[k] = v }
                            j += 2
                        }
                        emit("{\"id\":\(JSONText.quoted(id)),\"event_id\":\(JSONText.quoted(fields["event_id"] ?? "")),\"hook\":\(JSONText.quoted(fields["hook"] ?? "")),\"payload\":\(fields["payload"] ?? "null"),\"emitted_at\":\(JSONText.quoted(fields["emitted_at"] ?? ""))}")
                        printed += 1
                        if let l = limit, printed >= l { return }
                    }
                }
            }
        } catch {
            throw ConfigurationError("redis \(address): \(error)")
        }
    }
}
