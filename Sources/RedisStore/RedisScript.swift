// A Lua script and its SHA-1, as Redis names it. Run with `RedisConnection.evalScript`, which sends
// EVALSHA and falls back to EVAL on NOSCRIPT; every registered script is SCRIPT LOADed on (re)connect.

/// A Lua script for EVALSHA/EVAL.
public struct RedisScript: Sendable, Equatable, Hashable {
    /// A short name for logs and metrics.
    public let name: String
    /// The Lua source, sent with EVAL when the server does not know the SHA-1.
    public let source: String
    /// The lowercase hex SHA-1 of `source` (what EVALSHA and SCRIPT LOAD use).
    public let sha1: String

    /// Creates a script; its SHA-1 is computed here (pure Swift).
    /// - Parameters:
    ///   - name: a short name for logs.
    ///   - source: the Lua source.
    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = SHA1.hex(Array(source.utf8))
    }
}
