// COpenSSL: the OpenSSL 3 headers the TLS target's one file (`Sources/TLS/OpenSSL.swift`) needs, and
// `static inline` wrappers for the macros Swift cannot import (function-like macros over SSL_ctrl).
#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/err.h>

/// SSL_CTX_set_min_proto_version: 1 on success.
static inline int copenssl_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/// SSL_CTX_set_mode: returns the new mode bits.
static inline long copenssl_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/// The modes a non-blocking writer needs: partial writes, and a retried write may come from a buffer
/// at another address (Swift arrays move) as long as the bytes are the same.
static inline long copenssl_nonblocking_write_modes(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}

/// SSL_set_tlsext_host_name (SNI): 1 on success.
static inline int copenssl_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// SSL_OP_NO_RENEGOTIATION (a 64-bit option bit built by a macro).
static inline uint64_t copenssl_op_no_renegotiation(void) {
    return SSL_OP_NO_RENEGOTIATION;
}
#endif
