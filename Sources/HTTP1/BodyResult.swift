/// What ``HTTPRequestParser/parseBody(_:into:)`` did with the bytes it was given.
public struct BodyResult: Equatable, Hashable, Sendable {
    /// Input bytes used (framing and data). Advance the read index by this much.
    public var consumed: Int
    /// `true` once the whole body (and, for chunked, the trailer section) has been read.
    public var complete: Bool

    /// Creates a result.
    /// - Parameters:
    ///   - consumed: input bytes used.
    ///   - complete: whether the body is finished.
    public init(consumed: Int, complete: Bool) {
        self.consumed = consumed
        self.complete = complete
    }
}
