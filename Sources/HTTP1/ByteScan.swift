// Byte-level helpers shared by the request and response parsers, the header lookups and the response encoder.
// Everything here works on raw bytes: no String is built while scanning.

/// Character classes and word-at-a-time (SWAR) searches over raw bytes.
enum ByteScan {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// tchar (RFC 9110 §5.6.2) membership bits for bytes 0..<64 and 64..<128.
    private static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// `true` when `byte` is a tchar: `!#$%&'*+-.^_`|~`, DIGIT or ALPHA (RFC 9110 §5.6.2).
    @inline(__always)
    static func isTchar(_ byte: UInt8) -> Bool {
        if byte < 64 { return (tcharLow >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (tcharHigh >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    /// `true` for bytes allowed inside a field value: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == htab || (byte >= sp && byte != 0x7F)
    }

    /// `true` for SP or HTAB (OWS, RFC 9110 §5.6.3).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == sp || byte == htab
    }

    /// ASCII lowercase of one byte; other bytes are returned unchanged.
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte &- 0x41) < 26 ? byte | 0x20 : byte
    }

    /// Loads one byte; `offset` must be inside the buffer the pointer came from.
    @inline(__always)
    static func byte(_ base: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Offset of the first LF in `base[from..<end]`, or `nil`. Eight bytes per step.
    static func firstLF(_ base: UnsafeRawPointer, from: Int, to end: Int) -> Int? {
        var i = from
        let pattern = ones &* UInt64(lf)
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let x = word ^ pattern
            let found = (x &- ones) & ~x & highs
            if found != 0 { return i &+ found.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < end {
            if byte(base, i) == lf { return i }
            i &+= 1
        }
        return nil
    }

    /// Offset of the first byte in `base[from..<end]` that is a CTL (< 0x20, including HTAB) or DEL,
    /// or `end` when there is none. Eight bytes per step; obs-text (>= 0x80) is not reported.
    static func firstControl(_ base: UnsafeRawPointer, from: Int, to end: Int) -> Int {
        var i = from
        let below = ones &* 0x20
        let del = ones &* 0x7F
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let small = (word &- below) & ~word & highs
            let x = word ^ del
            let isDel = (x &- ones) & ~x & highs
            let found = small | isDel
            if found != 0 { return i &+ found.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < end {
            let b = byte(base, i)
            if b < sp || b == 0x7F { return i }
            i &+= 1
        }
        return end
    }

    /// ASCII case-insensitive comparison of `base[start..<end]` with a lowercase ASCII literal.
    @inline(__always)
    static func equalsLowercased(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { lit in
            guard end &- start == lit.count else { return false }
            var i = 0
            while i < lit.count {
                if lower(byte(base, start &+ i)) != lit[i] { return false }
                i &+= 1
            }
            return true
        }
    }

    /// ``HTTPParseError/bareCR`` when `base[from..<end]` (a line with its CRLF stripped) holds a CR
    /// (RFC 9112 §2.2), else `nil`: how a start line that stops matching tells a bare CR from junk.
    static func bareCR(_ base: UnsafeRawPointer, _ from: Int, _ end: Int) -> HTTPParseError? {
        var i = from
        while i < end {
            if byte(base, i) == cr { return .bareCR }
            i &+= 1
        }
        return nil
    }

    /// Runs `body` on `bytes[start...]` as raw bytes, passing its typed error through: how the parsers'
    /// array entry points reach their buffer-based ones.
    static func withBytes<R>(_ bytes: [UInt8], from start: Int,
                             _ body: (UnsafeRawBufferPointer) throws(HTTPParseError) -> R) throws(HTTPParseError) -> R {
        precondition(start >= 0 && start <= bytes.count, "read index outside the input buffer")
        let result: Result<R, HTTPParseError> = bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: raw[start...])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
