/// Resumable decoder for the chunked transfer coding (RFC 9112 §7.1).
///
/// A byte-level state machine: every input byte it is given is consumed exactly once, so input may
/// arrive split anywhere. Chunk data is copied in bulk; framing bytes are checked one at a time.
///
///     chunked-body   = *chunk last-chunk trailer-section CRLF          (RFC 9112 §7.1)
///     chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///     chunk-size     = 1*HEXDIG
///     chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )   (§7.1.1)
///
/// Extensions are ignored but must consist of field-value bytes; trailer fields (§7.1.2) are read
/// and discarded but must be CRLF-terminated lines of field-value bytes without obs-fold.
struct ChunkedDecoder: Sendable {
    private enum State: Sendable {
        case size, sizeWhitespace, extensions, sizeLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerLine, trailerLF, finalLF
        case done
    }

    private var state = State.size
    /// The chunk size being read, then the data bytes still expected.
    private var chunkSize = 0
    private var sizeDigits = 0
    private var lineBytes = 0
    private var trailerBytes = 0
    private var total = 0
    private let maxBodyBytes: Int
    private let maxLineBytes: Int
    private let maxTrailerBytes: Int

    init(limits: HTTPLimits) {
        maxBodyBytes = limits.maxBodyBytes
        maxLineBytes = limits.maxChunkLineBytes
        maxTrailerBytes = limits.maxTrailerBytes
    }

    /// Decodes from `buffer[0...]`, appending chunk data to `body`.
    /// - Returns: bytes consumed (all of them unless the body ended inside the buffer) and completion.
    /// - Throws: ``HTTPParseError/badChunk``, ``HTTPParseError/bodyTooLarge``,
    ///   ``HTTPParseError/trailersTooLarge``.
    mutating func decode(_ buffer: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        guard let base = buffer.baseAddress, state != .done else {
            return BodyResult(consumed: 0, complete: state == .done)
        }
        let end = buffer.count
        var i = 0
        while i < end {
            if state == .data {
                let n = min(chunkSize, end &- i)
                body.append(contentsOf: UnsafeRawBufferPointer(start: base + i, count: n))
                chunkSize &-= n
                i &+= n
                if chunkSize == 0 { state = .dataCR }
                continue
            }
            let b = ByteScan.byte(base, i)
            i &+= 1
            try step(b)
            if state == .done { return BodyResult(consumed: i, complete: true) }
        }
        return BodyResult(consumed: i, complete: false)
    }

    /// Advances the state machine by one framing byte.
    @inline(__always)
    private mutating func step(_ b: UInt8) throws(HTTPParseError) {
        switch state {
        case .size:
            if b != ByteScan.cr { try countLineByte() }
            if let digit = Self.hexValue(b) {
                // Overflow of the size is malformed framing, not a large body.
                guard chunkSize <= Int.max >> 4 else { throw .badChunk }
                chunkSize = chunkSize << 4 | digit
                sizeDigits &+= 1
            } else if sizeDigits == 0 {
                throw .badChunk  // empty size, sign, or other junk before the first digit
            } else if b == ByteScan.cr {
                state = .sizeLF
            } else if b == UInt8(ascii: ";") {
                state = .extensions
            } else if ByteScan.isWhitespace(b) {
                state = .sizeWhitespace
            } else {
                throw .badChunk  // e.g. "0x5"
            }
        case .sizeWhitespace:
            // BWS is allowed only before ";" (RFC 9112 §7.1.1).
            try countLineByte()
            if b == UInt8(ascii: ";") {
                state = .extensions
            } else if !ByteScan.isWhitespace(b) {
                throw .badChunk
            }
        case .extensions:
            if b != ByteScan.cr { try countLineByte() }
            if b == ByteScan.cr {
                state = .sizeLF
            } else if !ByteScan.isFieldValueByte(b) {
                throw .badChunk  // includes a bare LF, which some parsers take as a line end
            }
        case .sizeLF:
            guard b == ByteScan.lf else { throw .badChunk }
            try startChunk()
        case .data:
            break  // handled in bulk by decode
        case .dataCR:
            // Data longer than its size, or a missing CRLF after it.
            guard b == ByteScan.cr else { throw .badChunk }
            state = .dataLF
        case .dataLF:
            guard b == ByteScan.lf else { throw .badChunk }
            state = .size
        case .trailerLineStart:
            if b != ByteScan.cr { try countTrailerByte() }
            if b == ByteScan.cr {
                state = .finalLF
            } else if ByteScan.isWhitespace(b) || !ByteScan.isFieldValueByte(b) {
                throw .badChunk  // obs-fold or a control byte
            } else {
                state = .trailerLine
            }
        case .trailerLine:
            try countTrailerByte()
            if b == ByteScan.cr {
                state = .trailerLF
            } else if !ByteScan.isFieldValueByte(b) {
                throw .badChunk
            }
        case .trailerLF:
            try countTrailerByte()
            guard b == ByteScan.lf else { throw .badChunk }
            state = .trailerLineStart
        case .finalLF:
            guard b == ByteScan.lf else { throw .badChunk }
            state = .done
        case .done:
            break
        }
    }

    /// Called at the LF ending a chunk-size line.
    private mutating func startChunk() throws(HTTPParseError) {
        lineBytes = 0
        sizeDigits = 0
        if chunkSize == 0 {
            state = .trailerLineStart  // last-chunk
            return
        }
        guard chunkSize <= maxBodyBytes &- total else { throw .bodyTooLarge }
        total &+= chunkSize
        state = .data
    }

    @inline(__always)
    private mutating func countLineByte() throws(HTTPParseError) {
        lineBytes &+= 1
        if lineBytes > maxLineBytes { throw .badChunk }
    }

    @inline(__always)
    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes &+= 1
        if trailerBytes > maxTrailerBytes { throw .trailersTooLarge }
    }

    @inline(__always)
    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }
}
