// Standard Webhooks v1 signatures (contract §5): `webhook-signature: v1,<base64 HMAC-SHA256(key,
// "{webhook-id}.{webhook-timestamp}.{body}")>`, one per valid secret, space-separated (the new secret's
// first, then the previous one during a rotation grace). `verify` is the receiver's side, for tests and
// replay tooling: it accepts when any v1 signature in the header matches and the timestamp is within
// the tolerance of the injected now. Pure: no clock, no I/O.

/// Signs and verifies Standard Webhooks v1 messages.
public enum WebhookSigner {
    /// The version tag of HMAC-SHA256 signatures.
    public static let versionTag = "v1"

    /// Why ``verify(_:id:timestamp:body:nowSeconds:toleranceSeconds:)`` refused a message.
    public enum VerifyError: Error, Sendable, Equatable {
        /// `webhook-timestamp` is not a whole number of seconds.
        case badTimestamp
        /// The timestamp is further from now than the tolerance.
        case timestampOutOfTolerance
        /// No `v1` signature in the header matches any of the secrets.
        case noMatchingSignature
    }

    /// The signed content: `{id}.{timestamp}.{body}` as bytes, the body verbatim.
    public static func signedContent(id: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return content
    }

    /// One signature, `v1,<base64>`.
    /// - Parameters:
    ///   - secret: the key.
    ///   - id: `webhook-id` (the event id).
    ///   - timestamp: `webhook-timestamp`, Unix seconds of the attempt.
    ///   - body: the exact body bytes sent.
    public static func signature(secret: WebhookSecret, id: String, timestamp: Int64, body: [UInt8]) -> String {
        let tag = Crypto.hmacSHA256(key: secret.key, data: signedContent(id: id, timestamp: timestamp, body: body))
        return versionTag + "," + Crypto.base64Encode(tag)
    }

    /// The `webhook-signature` header value: the current secret's signature, then the previous secret's
    /// while it is still valid (a rotation), space-separated.
    /// - Parameters:
    ///   - secrets: the current secret first, then any still-valid previous one.
    ///   - id: `webhook-id`.
    ///   - timestamp: `webhook-timestamp`, Unix seconds.
    ///   - body: the exact body bytes.
    public static func header(secrets: [WebhookSecret], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let content = signedContent(id: id, timestamp: timestamp, body: body)
        return secrets.map { versionTag + "," + Crypto.base64Encode(Crypto.hmacSHA256(key: $0.key, data: content)) }
            .joined(separator: " ")
    }

    /// Verifies a received message the way a Standard Webhooks receiver does.
    /// - Parameters:
    ///   - signatureHeader: the `webhook-signature` value (space-separated `version,signature` items;
    ///     other versions are ignored).
    ///   - secrets: the secrets to accept (any one matching is enough).
    ///   - id: `webhook-id`.
    ///   - timestamp: the `webhook-timestamp` text.
    ///   - body: the exact body bytes.
    ///   - nowSeconds: the receiver's now, Unix seconds (injected).
    ///   - toleranceSeconds: largest allowed distance between `timestamp` and now, either way.
    /// - Throws: ``VerifyError`` saying why the message is refused.
    public static func verify(_ signatureHeader: String, secrets: [WebhookSecret], id: String, timestamp: String, body: [UInt8],
                              nowSeconds: Int64, toleranceSeconds: Int64 = WebhookSettings().verifyToleranceSeconds) throws(VerifyError) {
        guard !timestamp.isEmpty, timestamp.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let ts = Int64(timestamp) else {
            throw .badTimestamp
        }
        let (distance, overflow) = nowSeconds.subtractingReportingOverflow(ts)
        guard !overflow, distance.magnitude <= toleranceSeconds.magnitude else { throw .timestampOutOfTolerance }
        let content = signedContent(id: id, timestamp: ts, body: body)
        let expected = secrets.map { Crypto.hmacSHA256(key: $0.key, data: content) }
        for item in signatureHeader.split(separator: " ") {
            let parts = item.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == versionTag, let tag = Crypto.base64Decode(String(parts[1])) else { continue }
            if expected.contains(where: { Crypto.constantTimeEquals($0, tag) }) { return }
        }
        throw .noMatchingSignature
    }
}
