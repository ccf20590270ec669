// `gateway token` (contract.md §9): prints one signed token. A development and testing convenience:
// real tokens are minted by the canon's backend. Every value is checked with the verifier's own rules
// (identifiers, roles, webinar type), so what it prints `gateway serve` accepts with the same keys.

/// The `gateway token` command.
public enum TokenCommand {
    /// Default lifetime, in seconds.
    public static let defaultTTLSeconds = 3600
    /// Longest lifetime, in seconds (one year).
    public static let maxTTLSeconds = 31_536_000

    private static let flags: [(String, String)] = [
        ("--jwt-keys", "KID:SECRET[,KID:SECRET...] HS256 keys [GATEWAY_JWT_KEYS]"),
        ("--kid", "key id to sign with (default: the first key)"),
        ("--sub", "actor id (required)"),
        ("--role", "organizer|speaker|moderator|attendee|guest|system (required)"),
        ("--webinar", "webinar_id scope"),
        ("--session", "session_id"),
        ("--lead", "lead_id"),
        ("--user", "user_id"),
        ("--ref", "ref_id"),
        ("--type", "webinar_type: live (default) or auto"),
        ("--ttl", "lifetime in seconds (default \(defaultTTLSeconds), at most \(maxTTLSeconds))"),
    ]

    /// Help for `gateway token --help`.
    public static var helpText: String {
        "usage: gateway token --jwt-keys KID:SECRET --sub ID --role ROLE [options]\n"
            + "Prints one signed HS256 token (development/testing convenience).\n\n"
            + flags.map { "  " + ($0.0 + " VALUE").padding(toLength: 22, withPad: " ", startingAt: 0) + $0.1 }
                .joined(separator: "\n")
    }

    /// Builds the token `arguments` describe.
    /// - Parameters:
    ///   - arguments: the arguments after `token` (`--flag VALUE` or `--flag=VALUE`).
    ///   - environment: the process environment (`GATEWAY_JWT_KEYS`).
    ///   - now: the current time, Unix seconds (`iat`; `exp` is `now + ttl`).
    /// - Returns: the signed token.
    /// - Throws: `ConfigurationError` naming the first missing or bad value.
    public static func run(arguments: [String], environment: [String: String], now: Int64) throws(ConfigurationError) -> String {
        var values: [String: String] = [:]
        var i = 0
        while i < arguments.count {
            var flag = arguments[i]
            var value: String?
            if flag.hasPrefix("--"), let eq = flag.firstIndex(of: "=") {
                value = String(flag[flag.index(after: eq)...])
                flag = String(flag[..<eq])
            }
            guard flags.contains(where: { $0.0 == flag }) else {
                throw ConfigurationError("token: unknown option '\(flag)' (see 'gateway token --help')")
            }
            if value == nil {
                guard i + 1 < arguments.count else { throw ConfigurationError("\(flag): missing value") }
                value = arguments[i + 1]
                i += 1
            }
            guard values.updateValue(value ?? "", forKey: flag) == nil else { throw ConfigurationError("\(flag): given twice") }
            i += 1
        }

        guard let spec = values["--jwt-keys"] ?? environment["GATEWAY_JWT_KEYS"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ConfigurationError("--jwt-keys: missing (give --jwt-keys KID:SECRET or set GATEWAY_JWT_KEYS)")
        }
        let keys = try JWTKeySet.parse(spec)
        let kid = values["--kid"] ?? keys.kids.first ?? ""
        guard let secret = keys.secret(for: kid) else { throw ConfigurationError("--kid: no key '\(kid)' in --jwt-keys") }

        guard let sub = values["--sub"] else { throw ConfigurationError("--sub: missing (the actor id)") }
        try requireIdentifier(sub, "--sub")
        guard let roleText = values["--role"] else { throw ConfigurationError("--role: missing") }
        guard let role = Claims.Role(rawValue: roleText) else {
            throw ConfigurationError("--role: expected one of " + Claims.Role.allCases.map(\.rawValue).joined(separator: ", ") + ", got '\(roleText)'")
        }
        for flag in ["--webinar", "--session", "--lead", "--user", "--ref"] {
            if let v = values[flag] { try requireIdentifier(v, flag) }
        }
        var type = Claims.WebinarType.live
        if let t = values["--type"] {
            guard let parsed = Claims.WebinarType(rawValue: t) else { throw ConfigurationError("--type: expected live or auto, got '\(t)'") }
            type = parsed
        }
        var ttl = defaultTTLSeconds
        if let t = values["--ttl"] {
            guard let n = Int(t), (1...maxTTLSeconds).contains(n) else {
                throw ConfigurationError("--ttl: expected whole seconds from 1 to \(maxTTLSeconds), got '\(t)'")
            }
            ttl = n
        }
        let claims = Claims(sub: sub, role: role, webinarID: values["--webinar"], sessionID: values["--session"],
                            leadID: values["--lead"], userID: values["--user"], refID: values["--ref"],
                            webinarType: type, exp: now + Int64(ttl))
        return JWTSigner.sign(claims, issuedAt: now, kid: kid,
                              secret: String(decoding: secret, as: UTF8.self))
    }

    private static func requireIdentifier(_ value: String, _ flag: String) throws(ConfigurationError) {
        guard Identifier.isValid(value) else {
            throw ConfigurationError("\(flag): expected 1-\(Identifier.maxLength) characters from A-Z a-z 0-9 . _ : -")
        }
    }
}
