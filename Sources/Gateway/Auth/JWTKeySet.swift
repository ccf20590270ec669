// The HS256 keys a node accepts, by `kid` (contract.md §1, §9). Several keys live at once so a secret can
// be rotated: add the new kid, re-issue tokens, then drop the old kid. A secret is the raw UTF-8 string
// from `--jwt-keys KID:SECRET,...`, used as the HMAC key as is. Immutable: a new key set means a new
// `JWTVerifier` (and so an empty verified-token cache).

/// HS256 secrets by key id.
public struct JWTKeySet: Sendable {
    /// Key ids in the order given (dictionary input is sorted by kid, for determinism).
    public let kids: [String]
    private let secrets: [String: [UInt8]]

    /// A key set from `kid → secret`.
    /// - Parameter secrets: raw UTF-8 secrets by kid, e.g. `ServerConfiguration.jwtKeys`.
    /// - Throws: `ConfigurationError` when empty, or when a kid or a secret is empty.
    public init(_ secrets: [String: String]) throws(ConfigurationError) {
        try self.init(pairs: secrets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// A key set from ordered `(kid, secret)` pairs.
    /// - Parameter pairs: raw UTF-8 secrets by kid, in preference order.
    /// - Throws: `ConfigurationError` when empty, or for an empty or repeated kid, or an empty secret.
    public init(pairs: [(String, String)]) throws(ConfigurationError) {
        guard !pairs.isEmpty else { throw ConfigurationError("--jwt-keys: no key given") }
        var table: [String: [UInt8]] = [:]
        var order: [String] = []
        for (kid, secret) in pairs {
            guard !kid.isEmpty, !secret.isEmpty else { throw ConfigurationError("--jwt-keys: each key must be KID:SECRET") }
            guard table.updateValue(Array(secret.utf8), forKey: kid) == nil else {
                throw ConfigurationError("--jwt-keys: key id '\(kid)' given twice")
            }
            order.append(kid)
        }
        self.kids = order
        self.secrets = table
    }

    /// Parses `KID:SECRET[,KID:SECRET...]`, keeping the order (a secret may contain `:` but not `,`).
    /// - Parameter spec: the flag or environment value.
    /// - Throws: `ConfigurationError` naming `--jwt-keys`.
    public static func parse(_ spec: String) throws(ConfigurationError) -> JWTKeySet {
        var pairs: [(String, String)] = []
        for item in spec.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = item.firstIndex(of: ":") else { throw ConfigurationError("--jwt-keys: each key must be KID:SECRET") }
            pairs.append((String(item[..<colon]), String(item[item.index(after: colon)...])))
        }
        return try JWTKeySet(pairs: pairs)
    }

    /// The secret bytes for `kid`, or `nil` when no such key is configured.
    /// - Parameter kid: the key id from a token header.
    public func secret(for kid: String) -> [UInt8]? { secrets[kid] }
}
