// The identifier rule of contract.md §1: `webinar_id`, `session_id`, `lead_id`, `user_id`, `ref_id`,
// `event_id` and `sub` are 1-128 characters from [A-Za-z0-9._:-]. Route handlers answer a path id
// failing it with 404 and a body id failing it with 422; a token claim failing it makes the token invalid.

/// The identifier rule shared by tokens, paths and bodies.
public enum Identifier {
    /// Longest identifier, in characters (all allowed characters are one byte).
    public static let maxLength = 128

    /// Whether `value` is 1-128 characters from `[A-Za-z0-9._:-]`.
    /// - Parameter value: the candidate, already percent-decoded if it came from a path.
    public static func isValid(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy(isAllowed)
    }

    /// Whether `byte` may appear in an identifier.
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
