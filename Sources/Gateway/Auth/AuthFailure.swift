// Why a token was refused. The reason is for the log line only: clients get one generic 401.

/// A refused token. Compare with the static members (`== .expired`); new reasons may be added.
public struct AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case malformed, badHeader, unsupportedAlgorithm, unknownKey, badSignature, badPayload
        case expired, notYetValid, issuedInFuture
        case missingClaim(String), invalidClaim(String)
    }

    private let code: Code
    private init(_ code: Code) { self.code = code }

    /// Not three base64url segments, bad base64url, empty, or over the size limit.
    public static let malformed = AuthFailure(.malformed)
    /// The header is not a JSON object, lacks `kid`, or names a critical extension (`crit`).
    public static let badHeader = AuthFailure(.badHeader)
    /// `alg` is missing or anything but `HS256` (`none`, `HS512`, `RS256`, ...).
    public static let unsupportedAlgorithm = AuthFailure(.unsupportedAlgorithm)
    /// `kid` names no configured key.
    public static let unknownKey = AuthFailure(.unknownKey)
    /// The HMAC does not match.
    public static let badSignature = AuthFailure(.badSignature)
    /// The (authentic) payload is not a JSON object.
    public static let badPayload = AuthFailure(.badPayload)
    /// `exp` is past, beyond the leeway.
    public static let expired = AuthFailure(.expired)
    /// `nbf` is in the future, beyond the leeway.
    public static let notYetValid = AuthFailure(.notYetValid)
    /// `iat` is in the future, beyond the leeway.
    public static let issuedInFuture = AuthFailure(.issuedInFuture)
    /// A required claim is absent.
    /// - Parameter name: the claim name.
    public static func missingClaim(_ name: String) -> AuthFailure { AuthFailure(.missingClaim(name)) }
    /// A claim has the wrong type or a value outside its rule.
    /// - Parameter name: the claim name.
    public static func invalidClaim(_ name: String) -> AuthFailure { AuthFailure(.invalidClaim(name)) }

    /// A short reason for logs (never contains token bytes).
    public var description: String {
        switch code {
        case .malformed: "malformed token"
        case .badHeader: "bad header"
        case .unsupportedAlgorithm: "unsupported alg"
        case .unknownKey: "unknown kid"
        case .badSignature: "bad signature"
        case .badPayload: "bad payload"
        case .expired: "expired"
        case .notYetValid: "not yet valid (nbf)"
        case .issuedInFuture: "issued in the future (iat)"
        case .missingClaim(let name): "missing claim " + name
        case .invalidClaim(let name): "invalid claim " + name
        }
    }
}
