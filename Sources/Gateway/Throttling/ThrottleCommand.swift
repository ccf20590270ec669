// `gateway throttle show | set CLASS rate=R burst=B mode=M | reset user|session ID` (contract §9),
// against the Redis of `--redis URL` / GATEWAY_REDIS_URL. `set` validates everything before writing
// and writes through the same atomic script as the admin API, so every node picks it up within 1 s.
import Reactor
import RedisStore
import Throttle

/// The throttle subcommands.
public enum ThrottleCommand {
    public static let usage = """
        usage: gateway throttle show [--redis URL]
               gateway throttle set CLASS [rate=R] [burst=B] [mode=enforce|shadow|off] [--redis URL]
               gateway throttle reset user|session ID [--redis URL]
        CLASS is state, events or hooks; rate is tokens per second, burst a whole number of tokens.
        """

    /// Runs a subcommand and returns what to print.
    /// - Throws: `ConfigurationError` with one line naming the problem (exit status 2).
    public static func run(arguments: [String], environment: [String: String]) async throws(ConfigurationError) -> String {
        var args = arguments
        var url = environment["GATEWAY_REDIS_URL"]
        if let i = args.firstIndex(of: "--redis") {
            guard i + 1 < args.count else { throw ConfigurationError("--redis: missing value") }
            url = args[i + 1]
            args.removeSubrange(i...(i + 1))
        }
        guard let url else { throw ConfigurationError("no Redis address: give --redis redis://host:port/db or set GATEWAY_REDIS_URL") }
        guard let verb = args.first else { throw ConfigurationError("missing subcommand\n" + usage) }
        let address: RedisAddress
        do { address = try RedisAddress(parsing: url) } catch { throw ConfigurationError("--redis: \(error)") }
        // Validate before connecting: a bad value never reaches Redis.
        var change: (RouteClass, LimitsChange)?
        var resetKeys: [String] = []
        switch verb {
        case "show":
            guard args.count == 1 else { throw ConfigurationError("show takes no arguments") }
        case "set":
            guard args.count >= 3, let rc = RouteClass(rawValue: args[1]) else {
                throw ConfigurationError("set: expected CLASS (state, events, hooks) and at least one of rate=R burst=B mode=M")
            }
            do { change = (rc, try LimitsChange.parse(Array(args.dropFirst(2)))) } catch { throw ConfigurationError("set: \(error)") }
        case "reset":
            guard args.count == 3, ["user", "session"].contains(args[1]), Identifier.isValid(args[2]) else {
                throw ConfigurationError("reset: expected user|session ID")
            }
            resetKeys = RouteClass.allCases.map { args[1] == "user" ? ThrottleKeys.user($0, args[2]) : ThrottleKeys.session($0, args[2]) }
        default:
            throw ConfigurationError("unknown throttle subcommand '\(verb)'\n" + usage)
        }
        let group: EventLoopGroup
        do { group = try EventLoopGroup(count: 1) } catch { throw ConfigurationError("cannot start: \(error)") }
        group.start()
        let client = RedisClient(group: group, address: address)
        defer { group.stopAndWait() }
        do {
            try await client.waitUntilConnected(timeoutNanos: 3_000_000_000)
            let current = LimitsCodec.decode(try await client.command(["HGETALL", ThrottleKeys.limits]))
            switch verb {
            case "show":
                return LimitsCodec.json(current)
            case "set":
                guard let (rc, c) = change else { return "" }
                let next: ClassLimits
                switch c.applied(to: current[rc]) {
                case .failure(let e): throw ConfigurationError("set \(rc.rawValue): \(e)")
                case .success(let l): next = l
                }
                _ = try await client.evalScript(LimitsCodec.setScript, keys: [ThrottleKeys.limits],
                                                args: [ThrottleKeys.limitsChannel] + LimitsCodec.fields([rc: next]))
                var all = current
                all.classes[rc] = next
                return LimitsCodec.json(all)
            default:
                let n = try await client.command(["DEL"] + resetKeys)
                return "reset \(args[1]) \(args[2]): \(n.integer ?? 0) bucket(s) removed"
            }
        } catch let e as ConfigurationError {
            throw e
        } catch {
            throw ConfigurationError("redis \(address): \(error)")
        }
    }
}
