// The only Swift file that imports COpenSSL (see docs/architecture.md). Contract:
// - Public: the libcrypto primitives the gateway's `Crypto` offers (HMAC-SHA256 over a prefetched SHA-256
//   and one-shot SHA-256 through OpenSSL 3 EVP calls, no deprecated *_CTX/*_Init APIs; CRYPTO_memcmp; RAND_bytes).
// - Internal: thin libssl wrappers for `TLSContext`/`TLSSession`. Pointers are `OpaquePointer`s owned
//   by those classes (freed in their deinit). Every SSL call that can fail first clears this thread's
//   error queue and, on failure, drains it into a `TLSError` (reason strings + the verify result).
// - No OpenSSL type crosses the module boundary (`internal import`).
internal import COpenSSL
import Glibc

/// Thin wrappers over OpenSSL 3 (libcrypto, libssl).
public enum OpenSSL {
    /// Bytes in a SHA-256 digest (and an HMAC-SHA256 tag).
    public static let sha256ByteCount = 32

    /// SHA-256 fetched once. The one-shot `HMAC()` fetches the HMAC and the digest again on every call
    /// (OpenSSL 3), which cost about twice the hashing itself per webhook signature (callgrind).
    /// `nonisolated(unsafe)`: an `EVP_MD` from `EVP_MD_fetch` is immutable and may be shared by threads.
    nonisolated(unsafe) private static let sha256Method: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// HMAC-SHA256 (RFC 2104 §2) over SHA-256 with the prefetched method: H((K ^ opad) || H((K ^ ipad) || m)),
    /// K the key padded to the 64-byte block (a longer key is hashed first).
    /// - Parameters:
    ///   - key: the key bytes (any length).
    ///   - data: the message (may be empty, with or without a base address).
    /// - Returns: the 32-byte tag, or empty if libcrypto failed internally.
    public static func hmacSHA256(key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8] {
        guard let method = sha256Method, let context = EVP_MD_CTX_new() else { return [] }
        defer { EVP_MD_CTX_free(context) }
        let blockBytes = 64
        var block = [UInt8](repeating: 0, count: blockBytes)
        if key.count > blockBytes {
            let hashed = key.withUnsafeBytes { hash(context, method, $0, UnsafeRawBufferPointer(start: nil, count: 0)) }
            guard hashed.count == sha256ByteCount else { return [] }
            block.replaceSubrange(0..<sha256ByteCount, with: hashed)
        } else {
            block.replaceSubrange(0..<key.count, with: key)
        }
        var pad = block.map { $0 ^ 0x36 }
        let inner = pad.withUnsafeBytes { hash(context, method, $0, data) }
        for i in 0..<blockBytes { pad[i] = block[i] ^ 0x5C }
        let tag = inner.count == sha256ByteCount ? pad.withUnsafeBytes { p in inner.withUnsafeBytes { hash(context, method, p, $0) } } : []
        block.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        pad.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        return tag
    }

    /// SHA-256 of `a || b` on `context` (re-initialised); the 32 bytes or empty.
    private static func hash(_ context: OpaquePointer, _ method: OpaquePointer, _ a: UnsafeRawBufferPointer,
                             _ b: UnsafeRawBufferPointer) -> [UInt8] {
        guard EVP_DigestInit_ex2(context, method, nil) == 1 else { return [] }
        for part in [a, b] where part.count > 0 {
            guard EVP_DigestUpdate(context, part.baseAddress, part.count) == 1 else { return [] }
        }
        return digest { out, outLength in EVP_DigestFinal_ex(context, out, outLength) == 1 }
    }

    /// SHA-256 (FIPS 180-4) with the one-shot `EVP_Digest`.
    /// - Parameter data: the message.
    /// - Returns: the 32-byte digest, or empty if libcrypto failed internally.
    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        digest { out, outLength in
            nonNull(data) { EVP_Digest($0, data.count, out, outLength, EVP_sha256(), nil) == 1 }
        }
    }

    /// `CRYPTO_memcmp` over two buffers of the same, non-zero length.
    /// - Returns: true when the bytes are equal (time depends on the length only).
    public static func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        precondition(a.count == b.count, "constantTimeEquals: callers compare lengths first")
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }

    /// Fills `buffer` from the CSPRNG (`RAND_bytes`).
    /// - Returns: false if the generator failed (callers must not fall back to a weaker source).
    public static func randomBytes(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard buffer.count <= Int(Int32.max) else { return false }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return true }
        return RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1
    }

    /// Runs a one-shot digest into an EVP_MAX_MD_SIZE buffer; the SHA-256-sized prefix or empty.
    /// Standard base64 of `input` into `output` without line breaks (`EVP_EncodeBlock`); `output` needs
    /// 4 bytes per 3 of input, plus one. Returns the characters written (without the NUL), or <= 0.
    public static func encodeBase64Block(_ output: UnsafeMutableBufferPointer<UInt8>, _ input: UnsafeBufferPointer<UInt8>) -> Int32 {
        EVP_EncodeBlock(output.baseAddress, input.baseAddress, Int32(input.count))
    }

    /// Decodes whole base64 blocks of `input` into `output` (`EVP_DecodeBlock`: padding counts as zero
    /// bytes); `output` needs 3 bytes per 4 of input. Returns the bytes written, or -1 for bad input.
    public static func decodeBase64Block(_ output: UnsafeMutableBufferPointer<UInt8>, _ input: UnsafeBufferPointer<UInt8>) -> Int32 {
        EVP_DecodeBlock(output.baseAddress, input.baseAddress, Int32(input.count))
    }

    private static func digest(_ body: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>) -> Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { body($0.baseAddress, &outLength) }
        guard ok, Int(outLength) == sha256ByteCount else { return [] }
        return Array(out.prefix(sha256ByteCount))
    }

    /// OpenSSL wants non-NULL pointers even for empty inputs; an empty Swift buffer may have none.
    private static func nonNull(_ buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer) -> Bool) -> Bool {
        if let base = buffer.baseAddress { return body(base) }
        var one: UInt8 = 0
        return withUnsafeBytes(of: &one) { p in p.baseAddress.map(body) ?? false }
    }
}

// MARK: - libssl, for TLSContext and TLSSession

extension OpenSSL {
    /// What a non-blocking SSL call did.
    enum Status {
        case ok(Int)
        case wantRead
        case wantWrite
        /// The peer sent close_notify.
        case closed
        case failed(TLSError)
    }

    /// A client SSL_CTX with the given floor, peer verification and non-blocking write modes.
    static func makeClientContext(minimumVersion: TLSConfiguration.Version, verifyDepth: Int32,
                                  caFile: String?) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw failure(.configuration, "SSL_CTX_new") }
        let floor = minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        let trusted = caFile.map { SSL_CTX_load_verify_locations(ctx, $0, nil) == 1 }
            ?? (SSL_CTX_set_default_verify_paths(ctx) == 1)
        guard copenssl_SSL_CTX_set_min_proto_version(ctx, floor) == 1, trusted else {
            let error = failure(.configuration, caFile.map { "loading CA file \($0)" } ?? "loading the system trust store")
            SSL_CTX_free(ctx)
            throw error
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        SSL_CTX_set_verify_depth(ctx, verifyDepth)
        _ = copenssl_SSL_CTX_set_mode(ctx, copenssl_nonblocking_write_modes())
        _ = SSL_CTX_set_options(ctx, copenssl_op_no_renegotiation())
        return ctx
    }

    static func freeContext(_ ctx: OpaquePointer) { SSL_CTX_free(ctx) }

    /// A client SSL on `fd` (the BIO does not own the fd), with SNI for names and the host check.
    static func makeSession(_ ctx: OpaquePointer, fd: Int32, serverName: String) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let ssl = SSL_new(ctx) else { throw failure(.configuration, "SSL_new") }
        var probe = in6_addr()
        let isIP = inet_pton(AF_INET, serverName, &probe) == 1 || inet_pton(AF_INET6, serverName, &probe) == 1
        let ok = SSL_set_fd(ssl, fd) == 1
            // RFC 6066 §3: SNI carries host names only, never IP literals.
            && (isIP || copenssl_SSL_set_tlsext_host_name(ssl, serverName) == 1)
            && (isIP ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1
                     : SSL_set1_host(ssl, serverName) == 1)
        guard ok else {
            let error = failure(.configuration, "setting up the session for \(serverName)")
            SSL_free(ssl)
            throw error
        }
        SSL_set_connect_state(ssl)
        return ssl
    }

    static func freeSession(_ ssl: OpaquePointer) { SSL_free(ssl) }

    static func handshake(_ ssl: OpaquePointer) -> Status {
        ERR_clear_error()
        return status(ssl, SSL_do_handshake(ssl), count: 0, during: .handshake)
    }

    static func read(_ ssl: OpaquePointer, into buffer: UnsafeMutableRawBufferPointer) -> Status {
        ERR_clear_error()
        var count = 0
        return status(ssl, SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count), count: count, during: .io)
    }

    static func write(_ ssl: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Status {
        ERR_clear_error()
        var count = 0
        return status(ssl, SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count), count: count, during: .io)
    }

    /// Sends close_notify; `.ok` once it is out (1 = the peer's came too, 0 = ours only).
    static func shutdown(_ ssl: OpaquePointer) -> Status {
        ERR_clear_error()
        let rc = SSL_shutdown(ssl)
        return rc >= 0 ? .ok(Int(rc)) : status(ssl, rc, count: 0, during: .io)
    }

    /// The negotiated protocol ("TLSv1.3"), or "" before the handshake.
    static func protocolName(_ ssl: OpaquePointer) -> String {
        SSL_get_version(ssl).map { String(cString: $0) } ?? ""
    }

    private static func status(_ ssl: OpaquePointer, _ rc: Int32, count: Int, during kind: TLSError.Kind) -> Status {
        if rc == 1 { return .ok(count) }
        let errnoAtCall = errno
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let text = ERR_peek_error() != 0 ? queueText()
                : errnoAtCall == 0 ? "unexpected EOF" : String(cString: strerror(errnoAtCall))
            return .failed(TLSError(kind, detail: text, verifyResult: 0, verifyText: ""))
        default:
            return .failed(classify(ssl, during: kind))
        }
    }

    /// A failed handshake becomes a verify or hostname failure when the chain check says so.
    private static func classify(_ ssl: OpaquePointer, during kind: TLSError.Kind) -> TLSError {
        let detail = queueText()
        let result = Int32(truncatingIfNeeded: SSL_get_verify_result(ssl))
        guard kind == .handshake, result != X509_V_OK else {
            return TLSError(kind, detail: detail, verifyResult: 0, verifyText: "")
        }
        let verifyText = X509_verify_cert_error_string(Int(result)).map { String(cString: $0) } ?? "verify error \(result)"
        let isName = result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH
        return TLSError(isName ? .hostnameMismatch : .certificateVerify, detail: detail,
                        verifyResult: result, verifyText: verifyText)
    }

    private static func failure(_ kind: TLSError.Kind, _ what: String) -> TLSError {
        let text = queueText()
        return TLSError(kind, detail: text.isEmpty ? what : "\(what): \(text)", verifyResult: 0, verifyText: "")
    }

    /// Drains this thread's error queue into "reason; reason" (OpenSSL's own reason strings).
    private static func queueText() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? "OpenSSL error \(code)"
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        return reasons.joined(separator: "; ")
    }
}
