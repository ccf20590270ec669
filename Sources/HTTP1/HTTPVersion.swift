/// An HTTP version from the request or status line. The parser accepts only 1.0 and 1.1.
public struct HTTPVersion: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The digit before the dot.
    public var major: Int
    /// The digit after the dot.
    public var minor: Int

    /// Creates a version.
    /// - Parameters:
    ///   - major: major version digit.
    ///   - minor: minor version digit.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `"HTTP/1.1"` etc.
    public var description: String { "HTTP/\(major).\(minor)" }

    /// Reads `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3, case-sensitive) as the whole of
    /// `base[start..<end]`.
    /// - Returns: the version, or `nil` when the bytes are not of that form.
    /// - Throws: ``HTTPParseError/versionNotSupported`` for a well-formed version other than 1.0 and 1.1
    ///   (RFC 9110 §2.5, §15.6.6: we implement those two only).
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> HTTPVersion? {
        guard end &- start == 8,
              ByteScan.byte(base, start) == UInt8(ascii: "H"),
              ByteScan.byte(base, start &+ 1) == UInt8(ascii: "T"),
              ByteScan.byte(base, start &+ 2) == UInt8(ascii: "T"),
              ByteScan.byte(base, start &+ 3) == UInt8(ascii: "P"),
              ByteScan.byte(base, start &+ 4) == UInt8(ascii: "/"),
              ByteScan.byte(base, start &+ 6) == UInt8(ascii: ".")
        else { return nil }
        let major = ByteScan.byte(base, start &+ 5) &- UInt8(ascii: "0")
        let minor = ByteScan.byte(base, start &+ 7) &- UInt8(ascii: "0")
        guard major < 10, minor < 10 else { return nil }
        guard major == 1, minor <= 1 else { throw .versionNotSupported }
        return HTTPVersion(major: Int(major), minor: Int(minor))
    }
}
