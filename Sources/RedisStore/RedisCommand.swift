// RESP encoding of commands, done once, cheaply, before a command reaches hiredis
// (`redisAsyncFormattedCommand` takes the bytes as they are). The encoding is kept with one NUL after
// it: hiredis 0.14 scans the command with strchr() (to spot SUBSCRIBE) and reads past `len` without it
// (AddressSanitizer caught it). No String interpolation: lengths are
// written as ASCII digits by hand (whole-command interpolation cost 14% of CPU in a prototype).

/// One Redis command, already encoded as a RESP array of bulk strings.
public struct RedisCommand: Sendable, Equatable {
    /// The encoding followed by one NUL byte that is not part of it.
    let storage: [UInt8]

    /// The encoded bytes (`*N\r\n$len\r\narg\r\n...`); a copy, for tests and logs.
    public var bytes: [UInt8] { Array(storage.dropLast()) }

    /// Calls `body` with the encoding (NUL-terminated just past `count`, for hiredis).
    func withEncoding<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    }
    /// The number of arguments, the command name included.
    public let argumentCount: Int

    /// Encodes `arguments` (the command name first), each as UTF-8.
    public init(_ arguments: [String]) {
        var out: [UInt8] = []
        out.reserveCapacity(arguments.reduce(16) { $0 + $1.utf8.count + 16 })
        Self.appendHeader(arguments.count, to: &out)
        for a in arguments {
            var s = a
            s.withUTF8 { Self.appendArgument(UnsafeRawBufferPointer($0), to: &out) }
        }
        out.append(0)
        storage = out
        argumentCount = arguments.count
    }

    /// Encodes `arguments` given as raw bytes (the command name first).
    public init(bytes arguments: [[UInt8]]) {
        var out: [UInt8] = []
        out.reserveCapacity(arguments.reduce(16) { $0 + $1.count + 16 })
        Self.appendHeader(arguments.count, to: &out)
        for a in arguments {
            a.withUnsafeBytes { Self.appendArgument($0, to: &out) }
        }
        out.append(0)
        storage = out
        argumentCount = arguments.count
    }

    private static func appendHeader(_ count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(count, to: &out)
        out.append(13)
        out.append(10)
    }

    private static func appendArgument(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        appendDecimal(raw.count, to: &out)
        out.append(13)
        out.append(10)
        out.append(contentsOf: raw)
        out.append(13)
        out.append(10)
    }

    /// Appends the decimal digits of a non-negative `value`.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: 48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// The command name, lowercased, when it is one a shared command connection must refuse (pub/sub,
    /// MONITOR and RESET change the connection's reply stream or state); else nil. No allocation unless
    /// it matches (this runs on every send).
    var connectionStateCommandName: String? {
        // The first argument starts after "*N\r\n$L\r\n".
        let bytes = storage
        let end = bytes.count - 1  // the NUL
        guard let firstLF = bytes.firstIndex(of: 10) else { return nil }
        var i = firstLF + 2  // skip "$"
        var length = 0
        while i < end, bytes[i] != 13 {
            length = length &* 10 &+ (Int(bytes[i]) - 48)
            i += 1
        }
        let start = i + 2
        guard length >= 5, length <= 12, start + length <= end else { return nil }
        for name in Self.connectionStateCommands where name.count == length {
            var same = true
            for k in 0..<length where bytes[start + k] | 0x20 != name[k] {
                same = false
                break
            }
            if same { return String(decoding: name, as: UTF8.self) }
        }
        return nil
    }

    private static let connectionStateCommands: [[UInt8]] = [
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "monitor", "reset",
    ].map { Array($0.utf8) }
}

extension RedisCommand {
    /// `EVALSHA sha numkeys keys... args...`.
    static func evalsha(_ sha1: String, keys: [String], args: [String]) -> RedisCommand {
        RedisCommand(["EVALSHA", sha1, String(keys.count)] + keys + args)
    }

    /// `EVAL source numkeys keys... args...`.
    static func eval(_ source: String, keys: [String], args: [String]) -> RedisCommand {
        RedisCommand(["EVAL", source, String(keys.count)] + keys + args)
    }
}
