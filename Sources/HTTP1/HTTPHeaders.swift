/// The header fields of one request, kept as byte ranges into a copy of the request's head.
///
/// Nothing is decoded until asked: lookups compare bytes ASCII-case-insensitively, and a `String` is
/// made only for the value returned. Values are already trimmed of leading and trailing OWS
/// (RFC 9112 §5.1). Values with obs-text bytes that are not valid UTF-8 decode with U+FFFD.
/// Iterating yields `(name, value)` pairs as Strings in arrival order (fine for non-hot uses).
/// Equality compares the underlying head bytes and field positions, i.e. "parsed from the same bytes".
public struct HTTPHeaders: Sendable, Equatable, RandomAccessCollection {
    /// Offsets into `bytes` of one field line's name and trimmed value.
    struct Field: Equatable, Sendable {
        var nameStart: UInt32
        var nameEnd: UInt32
        var valueStart: UInt32
        var valueEnd: UInt32
    }

    /// The head bytes the fields point into.
    let bytes: [UInt8]
    /// One entry per field line, in arrival order.
    let fields: [Field]

    init(bytes: [UInt8], fields: [Field]) {
        self.bytes = bytes
        self.fields = fields
    }

    /// An empty header section.
    public init() {
        self.init(bytes: [], fields: [])
    }

    /// Builds headers from pairs, mainly for tests and synthetic requests. Names and values are stored
    /// as given (not validated); leading and trailing SP/HTAB of values are trimmed like the parser does.
    /// - Parameter pairs: `(name, value)` pairs in order.
    public init(_ pairs: [(String, String)]) {
        var bytes: [UInt8] = []
        var fields: [Field] = []
        for (name, value) in pairs {
            let nameStart = bytes.count
            bytes.append(contentsOf: name.utf8)
            let nameEnd = bytes.count
            bytes.append(contentsOf: ": ".utf8)
            var valueStart = bytes.count
            bytes.append(contentsOf: value.utf8)
            var valueEnd = bytes.count
            while valueStart < valueEnd, ByteScan.isWhitespace(bytes[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, ByteScan.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            bytes.append(contentsOf: "\r\n".utf8)
            fields.append(Field(
                nameStart: UInt32(truncatingIfNeeded: nameStart), nameEnd: UInt32(truncatingIfNeeded: nameEnd),
                valueStart: UInt32(truncatingIfNeeded: valueStart), valueEnd: UInt32(truncatingIfNeeded: valueEnd)))
        }
        self.init(bytes: bytes, fields: fields)
    }

    /// Number of field lines.
    public var count: Int { fields.count }
    /// Always 0.
    public var startIndex: Int { 0 }
    /// Equal to ``count``.
    public var endIndex: Int { fields.count }

    /// The field line at `position` as decoded Strings.
    /// - Parameter position: an index in `0..<count`.
    public subscript(position: Int) -> (name: String, value: String) {
        (name(at: position), value(at: position))
    }

    /// The field name at `index` as sent (original case).
    /// - Parameter index: an index in `0..<count`.
    public func name(at index: Int) -> String {
        let field = fields[index]
        return decode(Int(field.nameStart), Int(field.nameEnd))
    }

    /// The trimmed field value at `index`.
    /// - Parameter index: an index in `0..<count`.
    public func value(at index: Int) -> String {
        let field = fields[index]
        return decode(Int(field.valueStart), Int(field.valueEnd))
    }

    /// The value of the first field named `lowercasedName`, or `nil`.
    /// - Parameter lowercasedName: the field name; matching is ASCII-case-insensitive either way.
    public func first(_ lowercasedName: String) -> String? {
        guard let index = firstIndex(named: lowercasedName) else { return nil }
        return value(at: index)
    }

    /// The raw value bytes of the first field named `lowercasedName`, without decoding; `nil` if absent.
    /// - Parameter lowercasedName: the field name; matching is ASCII-case-insensitive.
    public func firstValueBytes(_ lowercasedName: String) -> ArraySlice<UInt8>? {
        guard let index = firstIndex(named: lowercasedName) else { return nil }
        let field = fields[index]
        return bytes[Int(field.valueStart)..<Int(field.valueEnd)]
    }

    /// Whether at least one field is named `lowercasedName`.
    /// - Parameter lowercasedName: the field name; matching is ASCII-case-insensitive.
    public func contains(_ lowercasedName: String) -> Bool {
        firstIndex(named: lowercasedName) != nil
    }

    /// The values of every field named `lowercasedName`, in order, one per field line (comma-separated
    /// lists inside one value are not split).
    /// - Parameter lowercasedName: the field name; matching is ASCII-case-insensitive.
    public func values(_ lowercasedName: String) -> [String] {
        var result: [String] = []
        forEachIndex(named: lowercasedName) { index in
            result.append(value(at: index))
            return false
        }
        return result
    }

    /// Index of the first field named `name` (ASCII-case-insensitive), or `nil`.
    /// - Parameter name: the field name.
    public func firstIndex(named name: String) -> Int? {
        var found: Int?
        forEachIndex(named: name) { index in
            found = index
            return true
        }
        return found
    }

    /// Calls `body` with each index whose name matches, until `body` returns `true`.
    private func forEachIndex(named name: String, _ body: (Int) -> Bool) {
        var name = name
        name.withUTF8 { wanted in
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, let want = wanted.baseAddress else { return }
                for (index, field) in fields.enumerated() {
                    let start = Int(field.nameStart)
                    guard Int(field.nameEnd) - start == wanted.count else { continue }
                    var i = 0
                    while i < wanted.count,
                          ByteScan.lower(ByteScan.byte(base, start + i)) == ByteScan.lower(want[i]) {
                        i += 1
                    }
                    if i == wanted.count, body(index) { return }
                }
            }
        }
    }

    private func decode(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }
}
