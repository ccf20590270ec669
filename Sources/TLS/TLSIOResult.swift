// Outcomes of non-blocking TLS calls. OpenSSL can want the other direction than the call's own (a
// read may need to write a key update, a write may need to read), so "would block" names the
// readiness the caller must wait for before calling again.
import Reactor

/// What a handshake or shutdown step did.
public enum TLSProgress: Sendable, Equatable {
    /// Finished.
    case done
    /// Call again once the socket is readable.
    case wantRead
    /// Call again once the socket is writable.
    case wantWrite
}

/// The outcome of a TLS read or write: bytes moved, or which readiness to wait for.
public enum TLSIOResult<T> {
    /// Done; for reads, `0` means the peer closed the session cleanly (close_notify).
    case processed(T)
    /// Would block: call again once the socket has `events` (`.readable` or `.writable`).
    case wouldBlock(IOEvents)
}

extension TLSProgress {
    /// The readiness to wait for, or nil when done.
    public var interest: IOEvents? {
        switch self {
        case .done: nil
        case .wantRead: .readable
        case .wantWrite: .writable
        }
    }
}
