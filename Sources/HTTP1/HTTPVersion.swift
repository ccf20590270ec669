/// An HTTP version from the request line. The parser accepts only 1.0 and 1.1.
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
}
