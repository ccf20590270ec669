// Flags and GATEWAY_* environment variables → `ServerConfiguration` (contract.md §9). Flags win over
// the environment. A bad value is refused with one line naming the setting; nothing is half-applied.
import Foundation
import HTTP1
import Reactor

/// A refused setting: the message names it and says what is allowed.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads `gateway serve` settings.
public enum ConfigurationLoader {
    /// One setting: its flag, its environment variable, whether it takes a value, and how to apply it.
    struct Option: Sendable {
        let flag: String
        let env: String
        let takesValue: Bool
        let help: String
        let apply: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void
    }

    static func env(_ flag: String) -> String {
        "GATEWAY_" + flag.dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
    }

    static func option(_ flag: String, env: String? = nil, value: Bool = true, _ help: String,
                       _ apply: @escaping @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void) -> Option {
        Option(flag: flag, env: env ?? Self.env(flag), takesValue: value, help: help, apply: apply)
    }

    static let options: [Option] = [
        option("--listen", "HOST:PORT to listen on (numeric IP; default 127.0.0.1:8080)") { c, v throws(ConfigurationError) in
            guard var a = Socket.Address(parsing: v) else { throw ConfigurationError("--listen: expected HOST:PORT with a numeric IP, got '\(v)'") }
            if a.host == "localhost" { a.host = "127.0.0.1" }
            guard CIDR.parseAddress(a.host) != nil else {
                throw ConfigurationError("--listen: '\(a.host)' is not a numeric IP (no DNS at start-up); use e.g. 127.0.0.1 or 0.0.0.0")
            }
            c.listen = a
        },
        option("--redis", env: "GATEWAY_REDIS_URL", "redis://[:password@]host:port/db or unix:///path (default: embedded redis-server)") { c, v throws(ConfigurationError) in
            if v.lowercased().hasPrefix("redis-cluster://") {
                // The cluster client exists (RedisStore) but the gateway's keys are not yet laid out per slot.
                throw ConfigurationError("--redis: redis-cluster:// (Redis Cluster) is not yet supported by the gateway; use redis:// or unix://")
            }
            guard v.hasPrefix("redis://") || v.hasPrefix("unix://") else { throw ConfigurationError("--redis: expected redis://host:port/db or unix:///path, got '\(v)'") }
            c.redisURL = v
        },
        option("--threads", "event-loop threads (default: number of cores)") { c, v throws(ConfigurationError) in
            c.threads = try int(v, "--threads", 1...256)
        },
        option("--jwt-keys", "KID:SECRET[,KID:SECRET...] HS256 keys") { c, v throws(ConfigurationError) in
            var keys: [String: String] = [:]
            for item in v.split(separator: ",") {
                guard let colon = item.firstIndex(of: ":"), colon != item.startIndex, item.index(after: colon) != item.endIndex else {
                    throw ConfigurationError("--jwt-keys: each key must be KID:SECRET")
                }
                keys[String(item[..<colon])] = String(item[item.index(after: colon)...])
            }
            guard !keys.isEmpty else { throw ConfigurationError("--jwt-keys: no key given") }
            c.jwtKeys = keys
        },
        option("--jwt-cache-entries", "verified tokens remembered, about 0.9 KB each (default 4096; 0 disables)") { c, v throws(ConfigurationError) in
            c.jwtCacheEntries = try int(v, "--jwt-cache-entries", 0...10_000_000)
        },
        option("--max-wait", "longest long-poll wait in seconds (default 30)") { c, v throws(ConfigurationError) in
            c.maxWaitSeconds = try seconds(v, "--max-wait", 0...3600)
        },
        option("--cors-origins", "ORIGIN[,ORIGIN...] allowed browser origins") { c, v throws(ConfigurationError) in
            c.corsOrigins = v.split(separator: ",").map { String($0) }
        },
        option("--state-dir", "directory for the embedded Redis's files (default ./state)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty else { throw ConfigurationError("--state-dir: must not be empty") }
            c.stateDir = v
        },
        option("--header-timeout", "seconds to receive a request (408 after; default 10)") { c, v throws(ConfigurationError) in
            c.headerTimeoutSeconds = try seconds(v, "--header-timeout", 0.05...3600)
        },
        option("--idle-timeout", "seconds an idle keep-alive connection is kept (default 75)") { c, v throws(ConfigurationError) in
            c.idleTimeoutSeconds = try seconds(v, "--idle-timeout", 0.05...86400)
        },
        option("--max-connections", "open connections per node (default 20000)") { c, v throws(ConfigurationError) in
            c.maxConnections = try int(v, "--max-connections", 1...10_000_000)
        },
        option("--grace", "seconds SIGTERM waits for in-flight work (default 10)") { c, v throws(ConfigurationError) in
            c.graceSeconds = try seconds(v, "--grace", 0...3600)
        },
        option("--drain-delay", "seconds SIGTERM keeps serving with /readyz 503 before draining (default 0)") { c, v throws(ConfigurationError) in
            c.drainDelaySeconds = try seconds(v, "--drain-delay", 0...600)
        },
        option("--trusted-proxies", "CIDR[,CIDR...] peers whose X-Forwarded-For gives the client address") { c, v throws(ConfigurationError) in
            var list: [CIDR] = []
            for item in v.split(separator: ",") {
                guard let cidr = CIDR(String(item)) else { throw ConfigurationError("--trusted-proxies: '\(item)' is not an IPv4/IPv6 address or CIDR") }
                list.append(cidr)
            }
            c.trustedProxies = list
        },
        option("--max-request-line-bytes", "request line limit in bytes (414; default 8192)") { c, v throws(ConfigurationError) in
            c.httpLimits.maxRequestLineBytes = try int(v, "--max-request-line-bytes", 64...1_048_576)
        },
        option("--max-header-bytes", "request head limit in bytes (431; default 16384)") { c, v throws(ConfigurationError) in
            c.httpLimits.maxHeaderBytes = try int(v, "--max-header-bytes", 256...1_048_576)
        },
        option("--max-header-count", "header fields per request (431; default 100)") { c, v throws(ConfigurationError) in
            c.httpLimits.maxHeaderCount = try int(v, "--max-header-count", 1...10_000)
        },
        option("--max-body-bytes", "request body limit in bytes (413; default 65536)") { c, v throws(ConfigurationError) in
            c.httpLimits.maxBodyBytes = try int(v, "--max-body-bytes", 0...16_777_216)
        },
        option("--redis-timeout", "seconds one Redis command may take (default 2)") { c, v throws(ConfigurationError) in
            c.redisCommandTimeoutSeconds = try seconds(v, "--redis-timeout", 0.01...60)
        },
        option("--throttle-fail-closed", value: false, "refuse throttled requests (503) while Redis is down instead of local buckets") { c, _ in c.throttleFailClosed = true },
        option("--access-log", value: false, "one JSON line per request on stderr") { c, _ in c.accessLog = true },
        option("--dev", value: false, "development mode: make up a JWT key if none is given; allow private webhook targets") { c, _ in c.dev = true },
    ] + eventOptions + webhookOptions

    /// Builds the configuration from `arguments` (after `serve`) and `environment`.
    /// - Throws: `ConfigurationError` naming the first bad setting.
    public static func load(arguments: [String], environment: [String: String], cores: Int) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        config.threads = max(1, cores)
        var fromFlags: [String: String] = [:]
        var i = 0
        while i < arguments.count {
            var arg = arguments[i]
            var inlineValue: String?
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                inlineValue = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            guard let opt = options.first(where: { $0.flag == arg }) else {
                throw ConfigurationError("unknown option '\(arg)' (see 'gateway --help')")
            }
            if opt.takesValue {
                if let v = inlineValue {
                    fromFlags[opt.flag] = v
                } else {
                    guard i + 1 < arguments.count else { throw ConfigurationError("\(opt.flag): missing value") }
                    fromFlags[opt.flag] = arguments[i + 1]
                    i += 1
                }
            } else {
                fromFlags[opt.flag] = "1"
            }
            i += 1
        }
        for opt in options {
            if let v = fromFlags[opt.flag] {
                try opt.apply(&config, v)
            } else if let v = environment[opt.env], !v.isEmpty {
                if !opt.takesValue {
                    guard ["1", "true", "yes"].contains(v.lowercased()) else { continue }
                }
                do { try opt.apply(&config, v) } catch { throw ConfigurationError("\(opt.env): " + error.description) }
            }
        }
        return config
    }

    /// Help text for `gateway serve`.
    public static var helpText: String {
        let names = options.map { $0.takesValue ? "\($0.flag) VALUE" : $0.flag }
        // One column for the descriptions, two spaces past the longest name (never cut, never run together).
        let width = (names.map(\.count).max() ?? 0) + 2
        return zip(options, names).map { o, name in
            "  " + name + String(repeating: " ", count: width - name.count) + o.help + " [" + o.env + "]"
        }.joined(separator: "\n")
    }

    static func int(_ v: String, _ name: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let n = Int(v), range.contains(n) else {
            throw ConfigurationError("\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(v)'")
        }
        return n
    }

    static func seconds(_ v: String, _ name: String, _ range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let d = Double(v), d.isFinite, range.contains(d) else {
            throw ConfigurationError("\(name): expected seconds from \(range.lowerBound) to \(range.upperBound), got '\(v)'")
        }
        return d
    }
}
