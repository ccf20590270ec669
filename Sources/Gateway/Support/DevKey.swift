// A made-up HS256 secret for `--dev`: 32 random bytes as hex, never persisted.

/// Development-mode key material.
public enum DevKey {
    /// A fresh random secret.
    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            let hex = String(b, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
