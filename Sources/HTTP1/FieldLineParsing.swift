// Field lines (RFC 9112 §5), one implementation for both parsers: each keeps its recorded fields and
// their semantics, and this extension fills them (specialised per parser: no dynamic dispatch).

/// A head parser that records field lines.
protocol FieldLineParsing {
    /// Name and value ranges of the fields seen so far.
    var fields: [HTTPHeaders.Field] { get set }
    /// What the fields mean for framing and persistence.
    var semantics: FieldSemantics { get set }
}

extension FieldLineParsing {
    /// Validates one field line `base[start..<end]` (CRLF stripped), records its name and trimmed value
    /// ranges, and passes it to ``FieldSemantics``.
    ///
    ///     field-line = field-name ":" OWS field-value OWS            (RFC 9112 §5)
    ///     field-name = token                                         (RFC 9110 §5.1)
    ///     field-value bytes: VCHAR / obs-text / SP / HTAB            (RFC 9110 §5.5)
    ///
    /// - Throws: ``HTTPParseError/obsFold`` (line starts with SP/HTAB, RFC 9112 §5.2),
    ///   ``HTTPParseError/whitespaceBeforeColon`` (RFC 9112 §5.1), ``HTTPParseError/invalidHeaderName``,
    ///   ``HTTPParseError/bareCR``, ``HTTPParseError/invalidHeaderValue``, and the errors of
    ///   ``FieldSemantics/note(_:name:_:value:_:)``.
    mutating func takeFieldLine(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) {
        // RFC 9112 §5.2: obs-fold is rejected, never unfolded. This also covers whitespace between the
        // request line and the first field (RFC 9112 §2.2).
        if ByteScan.isWhitespace(ByteScan.byte(base, start)) { throw .obsFold }

        var i = start
        while i < end, ByteScan.isTchar(ByteScan.byte(base, i)) { i &+= 1 }
        let nameEnd = i
        guard i < end, ByteScan.byte(base, i) == ByteScan.colon, nameEnd > start else {
            throw Self.nameError(base, i, end)
        }
        i &+= 1

        // Leading OWS is not part of the value.
        while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
        let valueStart = i
        // Scan for CTLs eight bytes at a time; HTAB is the only one allowed.
        while true {
            i = ByteScan.firstControl(base, from: i, to: end)
            if i == end { break }
            let b = ByteScan.byte(base, i)
            guard b == ByteScan.htab else { throw b == ByteScan.cr ? .bareCR : .invalidHeaderValue }
            i &+= 1
        }
        // Trailing OWS is not part of the value either (RFC 9112 §5.1).
        var valueEnd = end
        while valueEnd > valueStart, ByteScan.isWhitespace(ByteScan.byte(base, valueEnd &- 1)) { valueEnd &-= 1 }

        if fields.capacity == 0 { fields.reserveCapacity(16) }
        fields.append(HTTPHeaders.Field(
            nameStart: UInt32(truncatingIfNeeded: start), nameEnd: UInt32(truncatingIfNeeded: nameEnd),
            valueStart: UInt32(truncatingIfNeeded: valueStart), valueEnd: UInt32(truncatingIfNeeded: valueEnd)))
        try semantics.note(base, name: start, nameEnd, value: valueStart, valueEnd)
    }

    /// The error for a field name that stops at `at` without a proper colon.
    private static func nameError(_ base: UnsafeRawPointer, _ at: Int, _ end: Int) -> HTTPParseError {
        guard at < end else { return .invalidHeaderName }  // no colon at all
        let b = ByteScan.byte(base, at)
        if b == ByteScan.cr { return .bareCR }
        if ByteScan.isWhitespace(b) {
            // "Name : value" or "Name\t: value" (RFC 9112 §5.1), as opposed to "Na me: value".
            var i = at
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            if i < end, ByteScan.byte(base, i) == ByteScan.colon { return .whitespaceBeforeColon }
        }
        return .invalidHeaderName
    }
}
