// A subscription's signing secret (contract §5): `whsec_` + standard padded base64 of 24-64 key bytes.
// Parsing is strict (prefix, canonical base64, key length) so a secret has one accepted text; the key
// bytes are what HMAC-SHA256 uses. Generated from the CSPRNG; never logged (description is redacted).

/// A `whsec_` signing secret and its decoded key.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    /// The text prefix every secret carries.
    public static let prefix = "whsec_"

    /// The HMAC key.
    public let key: [UInt8]

    /// The secret as stored and shown once: `whsec_` + base64 of ``key``.
    public var text: String { Self.prefix + Crypto.base64Encode(key) }

    /// Redacted, so a secret never reaches a log line by accident.
    public var description: String { "whsec_<redacted>" }

    /// Wraps key bytes (no length check; see ``parse(_:settings:)`` for input).
    public init(key: [UInt8]) { self.key = key }

    /// Parses a `whsec_` secret.
    /// - Parameters:
    ///   - text: `whsec_` + canonical padded base64.
    ///   - settings: the key length bounds.
    /// - Returns: the secret, or a 422 naming `secret` with the rule.
    public static func parse(_ text: String, settings: WebhookSettings = WebhookSettings()) -> Result<WebhookSecret, Problem> {
        let rule = "expected whsec_ followed by the standard base64 of \(settings.secretMinKeyBytes)-\(settings.secretMaxKeyBytes) bytes"
        guard text.hasPrefix(prefix), let key = Crypto.base64Decode(String(text.dropFirst(prefix.count))),
              key.count >= settings.secretMinKeyBytes, key.count <= settings.secretMaxKeyBytes else {
            return .failure(.invalidField("secret", rule))
        }
        return .success(WebhookSecret(key: key))
    }

    /// A fresh secret of `settings.secretGeneratedKeyBytes` bytes.
    /// - Parameters:
    ///   - settings: the key length.
    ///   - random: the byte source (the CSPRNG unless a test pins it); `nil` from it means failure.
    /// - Returns: the secret, or `nil` when the source failed (never a weaker fallback).
    public static func generate(settings: WebhookSettings = WebhookSettings(),
                                random: (Int) -> [UInt8]? = Crypto.randomBytes(count:)) -> WebhookSecret? {
        let count = settings.secretGeneratedKeyBytes
        guard count >= settings.secretMinKeyBytes, count <= settings.secretMaxKeyBytes,
              let key = random(count), key.count == count else { return nil }
        return WebhookSecret(key: key)
    }
}
