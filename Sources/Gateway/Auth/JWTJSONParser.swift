// A strict RFC 8259 parser for the small JSON objects of a JWT (header and claims set), over raw bytes
// and without Foundation, because every request verifies a token. Refuses: anything but an object at
// the top, duplicate member names (RFC 7515 §5.2 allows refusing), invalid UTF-8, lone surrogates,
// control characters in strings, leading zeros, trailing bytes, and nesting deeper than `maxDepth`.

/// Parses one JSON object from bytes.
struct JWTJSONParser {
    /// Deepest nesting of arrays/objects accepted (the top-level object is depth 1).
    static let maxDepth = 16

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// Byte ranges of the top-level object's member values (for passing a value through verbatim).
    private var topLevelRanges: [String: Range<Int>] = [:]

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The members of the JSON object in `bytes`, or `nil` if `bytes` is not exactly one valid object.
    static func parseObject(_ bytes: [UInt8]) -> [String: ClaimValue]? {
        bytes.withUnsafeBytes { raw in
            var parser = JWTJSONParser(raw)
            parser.skipWhitespace()
            guard parser.peek() == UInt8(ascii: "{"), case .object(let members)? = parser.parseValue(depth: 1) else {
                return nil
            }
            parser.skipWhitespace()
            return parser.index == raw.count ? members : nil
        }
    }

    /// The members of the JSON object in `bytes` with, for each top-level member, the exact bytes of
    /// its value (numbers keep every digit; the value was fully validated, so it can be embedded as is).
    static func parseObjectKeepingRaw(_ bytes: [UInt8]) -> (members: [String: ClaimValue], raw: [String: ArraySlice<UInt8>])? {
        bytes.withUnsafeBytes { raw -> (members: [String: ClaimValue], raw: [String: ArraySlice<UInt8>])? in
            var parser = JWTJSONParser(raw)
            parser.skipWhitespace()
            guard parser.peek() == UInt8(ascii: "{"), case .object(let members)? = parser.parseValue(depth: 1) else { return nil }
            parser.skipWhitespace()
            guard parser.index == raw.count else { return nil }
            return (members, parser.topLevelRanges.mapValues { bytes[$0] })
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { return false }
        index += count
        return true
    }

    private mutating func parseValue(depth: Int) -> ClaimValue? {
        guard depth <= Self.maxDepth else { return nil }
        skipWhitespace()
        guard let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return parseObjectBody(depth: depth)
        case UInt8(ascii: "["): return parseArrayBody(depth: depth)
        case UInt8(ascii: "\""): return parseString().map { .string($0) }
        case UInt8(ascii: "t"): return consume("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return consume("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return consume("null") ? .null : nil
        default: return parseNumber().map { .number($0) }
        }
    }

    private mutating func parseObjectBody(depth: Int) -> ClaimValue? {
        index += 1  // "{"
        var members: [String: ClaimValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            let valueStart = index
            guard let value = parseValue(depth: depth + 1) else { return nil }
            if depth == 1 { topLevelRanges[key] = valueStart..<index }
            guard members.updateValue(value, forKey: key) == nil else { return nil }  // duplicate name
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: return nil
            }
        }
    }

    private mutating func parseArrayBody(depth: Int) -> ClaimValue? {
        index += 1  // "["
        var elements: [ClaimValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            guard let value = parseValue(depth: depth + 1) else { return nil }
            elements.append(value)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: return nil
            }
        }
    }

    /// A string starting at the opening quote; escapes decoded, UTF-8 validated.
    private mutating func parseString() -> String? {
        index += 1  // opening quote
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = parseUnicodeEscape() else { return nil }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0x00..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD8xx\uDCxx`.
    private mutating func parseUnicodeEscape() -> Unicode.Scalar? {
        guard let high = parseHex4() else { return nil }
        switch high {
        case 0xD800...0xDBFF:
            guard consume("\\u"), let low = parseHex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(high)
        }
    }

    private mutating func parseHex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as a finite Double.
    private mutating func parseNumber() -> Double? {
        let start = index
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard isDigit(peek()) else { return nil }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { return nil }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { return nil }
            while isDigit(peek()) { index += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
