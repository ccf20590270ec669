// A JSON value from a JWT header or payload, as `JWTJSONParser` produces it.

/// One JSON value (RFC 8259) of a token's header or claims set.
public enum ClaimValue: Sendable, Equatable {
    /// A string.
    case string(String)
    /// A number (JSON has one number type; NumericDate may be fractional).
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([ClaimValue])
    /// An object; keys are unique (tokens with duplicate keys are refused).
    case object([String: ClaimValue])

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, if this is one.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }
}
