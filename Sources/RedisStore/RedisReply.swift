// A Redis (RESP2) reply as a Swift value. Built inside the hiredis callback (HiredisContext.swift) by
// copying out of the `redisReply` tree, which hiredis frees as soon as the callback returns.

/// One reply from Redis.
public enum RedisReply: Sendable, Equatable {
    /// A simple string (`+OK`).
    case status(String)
    /// An error reply (`-ERR ...`): a successful round trip whose answer is an error.
    case error(String)
    /// An integer (`:42`).
    case integer(Int64)
    /// A bulk string (`$3\r\nabc`), as raw bytes.
    case bulk([UInt8])
    /// A null bulk string or null array (`$-1`, `*-1`).
    case null
    /// An array (`*2 ...`).
    case array([RedisReply])

    /// The text of a status or bulk reply (bulk bytes decoded as UTF-8, invalid sequences repaired);
    /// nil for any other kind.
    public var string: String? {
        switch self {
        case .status(let s): s
        case .bulk(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    /// The value of an integer reply, or of a bulk/status reply holding a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let i): i
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply, else nil.
    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The bytes of a bulk reply, else nil.
    public var bytes: [UInt8]? {
        if case .bulk(let b) = self { return b }
        return nil
    }

    /// True for an error reply.
    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// True for a null reply.
    public var isNull: Bool { self == .null }
}
