/// Size and count limits for one request, each in the unit its name says.
///
/// Exceeding a limit is a ``HTTPParseError`` whose status tells the client which limit it hit.
/// Limits are checked as bytes arrive, so a peer can never make the server buffer more than
/// roughly `maxHeaderBytes + maxRequestLineBytes` bytes of head.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line in bytes, CRLF excluded. Longer: ``HTTPParseError/uriTooLong`` (414).
    public var maxRequestLineBytes: Int
    /// Longest head in bytes: leading empty lines, request line, field lines and the final CRLF.
    /// Longer: ``HTTPParseError/headersTooLarge`` (431).
    public var maxHeaderBytes: Int
    /// Most field lines in one head. More: ``HTTPParseError/tooManyHeaders`` (431).
    public var maxHeaderCount: Int
    /// Largest decoded body in bytes. Larger: ``HTTPParseError/bodyTooLarge`` (413), reported when the
    /// head declares it (Content-Length) or as soon as a chunk size would pass it (chunked).
    public var maxBodyBytes: Int
    /// Longest chunk-size line in bytes (size digits plus chunk extensions, CRLF excluded).
    /// Longer: ``HTTPParseError/badChunk`` (400).
    public var maxChunkLineBytes: Int
    /// Largest trailer section of a chunked body in bytes. Larger: ``HTTPParseError/trailersTooLarge`` (431).
    public var maxTrailerBytes: Int

    /// Creates limits; every argument has the gateway's default.
    /// - Parameters:
    ///   - maxRequestLineBytes: request line bytes without CRLF (default 8 KiB).
    ///   - maxHeaderBytes: whole head bytes (default 16 KiB).
    ///   - maxHeaderCount: field lines (default 100).
    ///   - maxBodyBytes: decoded body bytes (default 64 KiB).
    ///   - maxChunkLineBytes: chunk-size line bytes (default 1 KiB).
    ///   - maxTrailerBytes: trailer section bytes (default 8 KiB).
    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 * 1024,
        maxChunkLineBytes: Int = 1024,
        maxTrailerBytes: Int = 8 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// The limits clamped to what the parser can represent: head offsets are stored as `UInt32`,
    /// so head sizes are capped at 1 GiB; negative values become 0.
    var normalized: HTTPLimits {
        let headCap = 1 << 30
        return HTTPLimits(
            maxRequestLineBytes: min(max(maxRequestLineBytes, 0), headCap),
            maxHeaderBytes: min(max(maxHeaderBytes, 0), headCap),
            maxHeaderCount: max(maxHeaderCount, 0),
            maxBodyBytes: max(maxBodyBytes, 0),
            maxChunkLineBytes: max(maxChunkLineBytes, 1),
            maxTrailerBytes: max(maxTrailerBytes, 0)
        )
    }
}
