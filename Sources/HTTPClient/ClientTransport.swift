// The bytes path of one client connection: the plain socket or a TLS session over it, behind one pair
// of calls that say which readiness to wait for. Errors come back as ClientErrors.
import Reactor
import TLS

/// Plain or TLS reads and writes on a connected non-blocking socket.
struct ClientTransport {
    let fd: Int32
    let session: TLSSession?

    /// Reads into `buffer`: `.processed(0)` is the peer's close.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> TLSIOResult<Int> {
        if let session {
            do { return try session.read(into: buffer) } catch { throw ClientError(.tls, tlsError: error) }
        }
        do {
            switch try Socket.read(fd, into: buffer) {
            case .processed(let n): return .processed(n)
            case .wouldBlock: return .wouldBlock(.readable)
            }
        } catch {
            throw ClientError(.connectionClosedEarly, "read", errno: error.errno)
        }
    }

    /// Writes as much of `bytes` as the socket takes (retry with the same bytes after `.wouldBlock`).
    func write(_ bytes: UnsafeRawBufferPointer) throws(ClientError) -> TLSIOResult<Int> {
        if let session {
            do { return try session.write(bytes) } catch { throw ClientError(.tls, tlsError: error) }
        }
        do {
            switch try Socket.write(fd, bytes) {
            case .processed(let n): return .processed(n)
            case .wouldBlock: return .wouldBlock(.writable)
            }
        } catch {
            throw ClientError(.connectionClosedEarly, "write", errno: error.errno)
        }
    }

    /// Advances the TLS handshake (done at once for plain connections).
    func handshake() throws(ClientError) -> TLSProgress {
        guard let session else { return .done }
        do { return try session.handshake() } catch { throw ClientError(.tls, tlsError: error) }
    }
}
