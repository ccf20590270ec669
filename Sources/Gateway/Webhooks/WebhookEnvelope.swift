// The Standard Webhooks body of one `wg:events` entry (contract §5): `{"type":<hook>,"timestamp":
// <emitted_at>,"data":<payload>}`. The entry's fields are what EventScripts.emit, CoreHooks and
// AttendanceRunner XADD: `event_id`, `hook`, `payload` (canon JSON text), `emitted_at` (ISO-8601 UTC).
// The payload bytes go in verbatim (never re-serialized), so `data` is byte-for-byte what was emitted;
// it must be a JSON object text (`{...}` after whitespace), else the entry is refused as malformed.

/// The webhook body of one stream entry, and the id that goes in `webhook-id`.
public struct WebhookEnvelope: Sendable, Equatable {
    /// Why a stream entry cannot become a webhook.
    public enum MalformedEntry: Error, Sendable, Equatable {
        /// A required field is missing or empty (the name).
        case missingField(String)
        /// `payload` is not JSON object text.
        case payloadNotObject
    }

    /// `event_id`: `webhook-id`, the same on every retry.
    public let eventID: String
    /// `hook`: the `type`, also what subscription filters match.
    public let hook: String
    /// `emitted_at`: the `timestamp`.
    public let emittedAt: String
    /// The exact body bytes to sign and send.
    public let body: [UInt8]

    /// Builds the envelope.
    /// - Parameters:
    ///   - eventID: `event_id`.
    ///   - hook: `hook`.
    ///   - emittedAt: `emitted_at`.
    ///   - payload: `payload`, embedded verbatim.
    public init(eventID: String, hook: String, emittedAt: String, payload: [UInt8]) throws(MalformedEntry) {
        for (name, value) in [("event_id", eventID), ("hook", hook), ("emitted_at", emittedAt)] where value.isEmpty {
            throw .missingField(name)
        }
        guard Self.isObjectText(payload) else { throw .payloadNotObject }
        self.eventID = eventID
        self.hook = hook
        self.emittedAt = emittedAt
        var body = Array(("{\"type\":" + JSONText.quoted(hook) + ",\"timestamp\":" + JSONText.quoted(emittedAt) + ",\"data\":").utf8)
        body.reserveCapacity(body.count + payload.count + 1)
        body.append(contentsOf: payload)
        body.append(UInt8(ascii: "}"))
        self.body = body
    }

    /// Builds the envelope from a stream entry's field/value pairs (as XRANGE/XREADGROUP return them).
    public init(fields: [(String, [UInt8])]) throws(MalformedEntry) {
        func field(_ name: String) throws(MalformedEntry) -> [UInt8] {
            guard let v = fields.first(where: { $0.0 == name })?.1, !v.isEmpty else { throw .missingField(name) }
            return v
        }
        let text = { (b: [UInt8]) in String(decoding: b, as: UTF8.self) }
        try self.init(eventID: text(try field("event_id")), hook: text(try field("hook")),
                      emittedAt: text(try field("emitted_at")), payload: try field("payload"))
    }

    /// Whether `bytes` is `{` ... `}` after optional JSON whitespace (a cheap shape check: the emitters
    /// wrote it with cjson or the payload builder, so it is not parsed again).
    static func isObjectText(_ bytes: [UInt8]) -> Bool {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }), first < last else { return false }
        return bytes[first] == UInt8(ascii: "{") && bytes[last] == UInt8(ascii: "}")
    }

    /// For a `webhook_endpoint_disabled` event, the subscription it is about (`data.webhook_id`).
    var disabledSubscriptionID: String? {
        guard hook == OutboundHook.webhookEndpointDisabled.rawValue,
              case .object(let data)? = JWTJSONParser.parseObject(body)?["data"], case .string(let id)? = data["webhook_id"] else { return nil }
        return id
    }
}
