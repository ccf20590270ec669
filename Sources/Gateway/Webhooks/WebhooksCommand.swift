// `gateway webhooks add URL [--events HOOK,...|*] [--description TEXT] | list | show ID | rm ID |
// disable ID | enable ID | rotate-secret ID | replay ID [--from TIME] [--event EVENT_ID] | dead ID` (contract §9),
// against the Redis of `--redis URL` / GATEWAY_REDIS_URL. Input is checked by the same rules as the
// admin API (WebhookSubscriptionInput) before connecting, and every change goes through WebhookStore's
// scripts, so every node applies it within 1 s. `add` takes `--webhook-allow-private` (or
// GATEWAY_WEBHOOK_ALLOW_PRIVATE=1), as `serve` does, for http and private targets.
// `replay` without options re-sends the dead deliveries; `--event` one event (dead, else still in the
// event stream); `--from` every stored event since TIME that the subscription's filter takes.
import Reactor
import RedisStore

/// The webhooks subcommands.
public enum WebhooksCommand {
    public static let usage = """
        usage: gateway webhooks add URL [--events HOOK,...|*] [--description TEXT] [--webhook-allow-private] [--redis URL]
               gateway webhooks list|show ID|rm ID|disable ID|enable ID|rotate-secret ID|dead ID [--redis URL]
               gateway webhooks replay ID [--from TIME] [--event EVENT_ID] [--redis URL]
        HOOK is a hook name of contract section 4; * (the default) is every hook.
        replay: no options = every dead delivery; --event = that event (dead, or still in wg:events);
        --from TIME (ISO-8601 UTC, or a duration back from now such as 2h) = every stored event since then.
        """

    /// What a verb does once connected.
    private enum Operation {
        case add(WebhookSubscriptionInput), list, show(String), rm(String), enable(String, Bool), rotate(String)
        case replay(String, String?, Int64?), dead(String)
    }

    /// Runs a subcommand and returns what to print (JSON for everything but `rm`).
    /// - Throws: `ConfigurationError` with one line naming the problem (exit status 2).
    public static func run(arguments: [String], environment: [String: String]) async throws(ConfigurationError) -> String {
        var args = arguments
        let url = try take("--redis", &args) ?? environment["GATEWAY_REDIS_URL"]
        var allowPrivate = ["1", "true"].contains(environment["GATEWAY_WEBHOOK_ALLOW_PRIVATE"] ?? "")
        if let i = args.firstIndex(of: "--webhook-allow-private") { allowPrivate = true; args.remove(at: i) }
        guard let url else { throw ConfigurationError("no Redis address: give --redis redis://host:port/db or set GATEWAY_REDIS_URL") }
        let operation = try parse(&args, allowPrivate: allowPrivate)
        let address: RedisAddress
        do { address = try RedisAddress(parsing: url) } catch { throw ConfigurationError("--redis: \(error)") }
        let group: EventLoopGroup
        do { group = try EventLoopGroup(count: 1) } catch { throw ConfigurationError("cannot start: \(error)") }
        group.start()
        let client = RedisClient(group: group, address: address)
        defer { group.stopAndWait() }
        do { try await client.waitUntilConnected(timeoutNanos: 3_000_000_000) } catch { throw ConfigurationError("redis \(address): \(error)") }
        let loop = group.loops[0]
        func on<T: Sendable>(_ call: @escaping @Sendable (WebhookStore, @escaping (Result<T, Problem>) -> Void) -> Void) async throws(ConfigurationError) -> T {
            let result: Result<T, Problem> = await withCheckedContinuation { c in
                loop.execute { call(WebhookStore(connection: client.connection(on: loop))) { c.resume(returning: $0) } }
            }
            switch result {
            case .success(let v): return v
            case .failure(let p) where p.status == 404: throw ConfigurationError("no such webhook subscription")
            case .failure(let p) where p.status == 503: throw ConfigurationError("redis \(address): not reachable")
            case .failure(let p): throw ConfigurationError(p.detail ?? p.title)
            }
        }
        switch operation {
        case .add(let input): return try await on { $0.create(input, $1) }.json(showSecret: true)
        case .list: return WebhookSubscription.listJSON(try await on { $0.list($1) })
        case .show(let id): return try await on { $0.get(id, $1) }.json()
        case .rm(let id): try await on { $0.delete(id, $1) }; return "deleted \(id)"
        case .enable(let id, let on_): return try await on { $0.setEnabled(id, on_, $1) }.json()
        case .rotate(let id): return try await on { $0.rotateSecret(id, $1) }.rotationJSON
        case .replay(let id, let event, let from): return "{\"replayed\":\(try await on { $0.replay(id, eventID: event, fromMillis: from, $1) })}"
        case .dead(let id): return WebhookDeadLetter.listJSON(try await on { $0.dead(id, $1) })
        }
    }

    /// Checks the verb and its arguments (nothing is connected yet).
    private static func parse(_ args: inout [String], allowPrivate: Bool) throws(ConfigurationError) -> Operation {
        guard let verb = args.first else { throw ConfigurationError("missing subcommand\n" + usage) }
        args.removeFirst()
        switch verb {
        case "add":
            let events = try take("--events", &args)
            let description = try take("--description", &args)
            guard args.count == 1, let target = args.first else { throw ConfigurationError("add: expected one URL") }
            var fields: [String: ClaimValue] = ["url": .string(target)]
            if let events { fields["events"] = .array(events.split(separator: ",", omittingEmptySubsequences: false).map { .string(String($0)) }) }
            if let description { fields["description"] = .string(description) }
            switch WebhookSubscriptionInput.parse(fields, mode: .create, allowPrivate: allowPrivate) {
            case .failure(let p): throw ConfigurationError("add: " + (p.detail ?? p.title))
            case .success(let input): return .add(input)
            }
        case "list":
            guard args.isEmpty else { throw ConfigurationError("list takes no arguments") }
            return .list
        case "replay":
            let event = try take("--event", &args)
            if let event, !Identifier.isValid(event) { throw ConfigurationError("replay: --event: expected an event id") }
            var from: Int64?
            if let text = try take("--from", &args) {
                // An ISO-8601 UTC time, or a duration back from now (`2h`: the last two hours).
                if let ms = WallClock.millis(iso: text), ms >= 0 {
                    from = ms
                } else if let ago = WebhookDuration.parseMillis(text) {
                    from = max(0, WallClock.nowMillis() - ago)
                } else {
                    throw ConfigurationError("replay: --from: expected an ISO-8601 UTC time (2026-12-04T10:00:00Z) or a duration back from now (2h)")
                }
            }
            return .replay(try id(verb, args), event, from)
        case "show": return .show(try id(verb, args))
        case "rm": return .rm(try id(verb, args))
        case "disable": return .enable(try id(verb, args), false)
        case "enable": return .enable(try id(verb, args), true)
        case "rotate-secret": return .rotate(try id(verb, args))
        case "dead": return .dead(try id(verb, args))
        default: throw ConfigurationError("unknown webhooks subcommand '\(verb)'\n" + usage)
        }
    }

    /// The one ID argument of `verb`.
    private static func id(_ verb: String, _ args: [String]) throws(ConfigurationError) -> String {
        guard args.count == 1, let id = args.first, WebhookSubscription.isID(id) else {
            throw ConfigurationError("\(verb): expected one subscription id (wh_ followed by hex digits)")
        }
        return id
    }

    /// Removes `--name VALUE` from `args` and returns the value.
    private static func take(_ name: String, _ args: inout [String]) throws(ConfigurationError) -> String? {
        guard let i = args.firstIndex(of: name) else { return nil }
        guard i + 1 < args.count else { throw ConfigurationError("\(name): missing value") }
        let value = args[i + 1]
        args.removeSubrange(i...(i + 1))
        return value
    }
}
