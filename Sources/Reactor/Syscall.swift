// The syscall funnel: every system call that can fail goes through `syscall(blocking:_:)`.
// EINTR is retried, EAGAIN/EWOULDBLOCK is a value (`.wouldBlock`), EBADF/EFAULT are bugs and trap,
// anything else becomes an `IOError` carrying the errno captured at the call.
import Glibc

/// The outcome of a non-blocking call: done, or it would have blocked.
public enum IOResult<T> {
    case processed(T)
    case wouldBlock
}

/// A failed system call, with the errno captured right after it.
public struct IOError: Error, CustomStringConvertible, Sendable {
    /// The errno value.
    public var errno: Int32
    /// Which call failed.
    public var reason: String

    public init(errno: Int32, reason: String) {
        self.errno = errno
        self.reason = reason
    }

    public var description: String {
        "\(reason): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs `body` until it does not fail with EINTR.
/// - Parameters:
///   - blocking: when false, EAGAIN/EWOULDBLOCK is returned as `.wouldBlock`.
///   - where: the name used in the error.
/// - Throws: `IOError` for any other failure.
@inline(__always)
public func syscall<T: FixedWidthInteger>(
    blocking: Bool, where function: StaticString = #function, _ body: () -> T
) throws(IOError) -> IOResult<T> {
    while true {
        let rc = body()
        if rc >= 0 { return .processed(rc) }
        let err = errno
        switch err {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            if !blocking { return .wouldBlock }
            throw IOError(errno: err, reason: "\(function)")
        case EBADF, EFAULT:
            preconditionFailure("\(function) failed with errno \(err): a bug (bad fd or pointer)")
        default:
            throw IOError(errno: err, reason: "\(function)")
        }
    }
}
