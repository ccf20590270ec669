// A client TLS session over a connected, non-blocking socket the caller owns (registered on the
// caller's loop). Contract:
// - Loop-driven: `handshake()` until `.done`, waiting for the readiness it names between calls; then
//   `read(into:)`/`write(_:)`, which return `.wouldBlock(events)` instead of blocking. A write that
//   would block must be retried with the same bytes (OpenSSL's rule; the buffer may move).
// - Verification: the context's trust anchors, SNI with `serverName` (host names only), and the
//   host name (or IP literal) checked against the certificate. Failures are `TLSError`s of kind
//   `.certificateVerify`, `.hostnameMismatch` or `.handshake`.
// - Not thread-safe: one loop thread uses it. The fd is never closed here; the SSL is freed in deinit.
// - OpenSSL writes with write(2): SIGPIPE is ignored process-wide on the first session.
import Glibc

/// One TLS client session over a non-blocking socket.
public final class TLSSession {
    /// The host name or IP literal the certificate must name.
    public let serverName: String
    private let context: TLSContext
    private let ssl: OpaquePointer

    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Prepares a session on `fd` (does no I/O).
    /// - Parameters:
    ///   - context: trust anchors and protocol floor; kept alive by the session.
    ///   - fd: a connected (or connecting) non-blocking TCP socket; the caller closes it.
    ///   - serverName: the host to verify (and send as SNI unless it is an IP literal).
    /// - Throws: `TLSError` of kind `.configuration` when OpenSSL refuses the fd or the name.
    public init(context: TLSContext, fd: Int32, serverName: String) throws(TLSError) {
        Self.ignoreSIGPIPE
        self.context = context
        self.serverName = serverName
        self.ssl = try OpenSSL.makeSession(context.pointer, fd: fd, serverName: serverName)
    }

    deinit { OpenSSL.freeSession(ssl) }

    /// The negotiated protocol, e.g. "TLSv1.3" (meaningful once the handshake is done).
    public var protocolVersion: String { OpenSSL.protocolName(ssl) }

    /// Advances the handshake as far as the socket allows.
    /// - Returns: `.done`, or the readiness to wait for before calling again.
    /// - Throws: `TLSError`: `.certificateVerify` (with the verify result's text), `.hostnameMismatch`,
    ///   or `.handshake` (protocol version refused, alert, peer closed).
    public func handshake() throws(TLSError) -> TLSProgress {
        switch OpenSSL.handshake(ssl) {
        case .ok: return .done
        case .wantRead: return .wantRead
        case .wantWrite: return .wantWrite
        case .closed: throw TLSError(.handshake, detail: "peer closed during the handshake", verifyResult: 0, verifyText: "")
        case .failed(let error): throw error
        }
    }

    /// Decrypts what has arrived into `buffer`.
    /// - Parameter buffer: where the plaintext goes.
    /// - Returns: `.processed(n)` (0: the peer sent close_notify), or `.wouldBlock(events)`.
    /// - Throws: `TLSError` of kind `.io` (a broken record, a reset, EOF without close_notify).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> TLSIOResult<Int> {
        guard buffer.count > 0 else { return .processed(0) }
        return try ioResult(OpenSSL.read(ssl, into: buffer))
    }

    /// Encrypts and sends as much of `bytes` as the socket takes (partial writes allowed).
    /// - Parameter bytes: the plaintext; after `.wouldBlock`, retry with the same bytes.
    /// - Returns: `.processed(n)` bytes taken, or `.wouldBlock(events)`.
    /// - Throws: `TLSError` of kind `.io` (the peer reset or closed).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) -> TLSIOResult<Int> {
        guard bytes.count > 0 else { return .processed(0) }
        return try ioResult(OpenSSL.write(ssl, bytes))
    }

    /// Sends close_notify (does not wait for the peer's; close the fd after `.done`).
    /// - Returns: `.done`, or the readiness to wait for before calling again.
    /// - Throws: `TLSError` of kind `.io` when the socket is broken (just close it).
    public func shutdown() throws(TLSError) -> TLSProgress {
        switch OpenSSL.shutdown(ssl) {
        case .ok, .closed: return .done
        case .wantRead: return .wantRead
        case .wantWrite: return .wantWrite
        case .failed(let error): throw error
        }
    }

    private func ioResult(_ status: OpenSSL.Status) throws(TLSError) -> TLSIOResult<Int> {
        switch status {
        case .ok(let count): return .processed(count)
        case .closed: return .processed(0)
        case .wantRead: return .wouldBlock(.readable)
        case .wantWrite: return .wouldBlock(.writable)
        case .failed(let error): throw error
        }
    }
}
