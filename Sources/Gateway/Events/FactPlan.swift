// A validated client fact turned into what the emit script must do: which once-mark, which session
// fields (first value wins), which events with which payloads (exactly the canon's fields, server
// timestamps, a fresh event_id each), and whether an AutoWebinar session gets classified now.

/// Everything the emit script needs for one fact.
struct FactPlan {
    var markKey: String = ""
    var sessionKey: String
    var leadsKey: String = ""
    var enteredKey: String = ""
    var attendanceMarkKey: String = ""
    var idempotencyKey: String = ""
    var setOnce: [(String, String)] = []
    var progress: Int?
    var events: [(id: String, hook: String, payload: String)] = []
    var attendanceIDs: [String] = []
    var webinarID: String
    var sessionID: String
    var lead: String
    var now: String
    /// Once-marks' life, seconds (`EventSettings.onceMarkTTLSeconds`).
    var ttlSeconds: Int
    /// Session record and leads/entered sets' life after a change, seconds (`EventSettings.roomTTLSeconds`).
    var roomTTLSeconds: Int
    /// The idempotency answer's life, seconds (`EventSettings.idempotencyTTLSeconds`).
    var idempotencyTTLSeconds: Int
    var maxLen: Int
    var channel: String

    var keys: [String] { [markKey, sessionKey, EventKeys.stream, leadsKey, enteredKey, attendanceMarkKey, idempotencyKey] }

    /// The non-key part of the plan as JSON (cjson-decoded by the script).
    var planJSON: String {
        var s = "{\"ttl\":\(ttlSeconds),\"room_ttl\":\(roomTTLSeconds),\"idem_ttl\":\(idempotencyTTLSeconds),\"maxlen\":\(maxLen),\"now\":\(JSONText.quoted(now)),\"lead\":\(JSONText.quoted(lead))"
        s += ",\"channel\":\(JSONText.quoted(channel)),\"session_id\":\(JSONText.quoted(sessionID))"
        if let p = progress { s += ",\"progress\":\(p)" }
        s += ",\"set_once\":[" + setOnce.map { "[\(JSONText.quoted($0.0)),\(JSONText.quoted($0.1))]" }.joined(separator: ",") + "]"
        s += ",\"events\":[" + events.map { "[\(JSONText.quoted($0.id)),\(JSONText.quoted($0.hook)),\(JSONText.quoted($0.payload))]" }.joined(separator: ",") + "]"
        if !attendanceIDs.isEmpty {
            s += ",\"attendance\":{\"webinar_id\":\(JSONText.quoted(webinarID)),\"ids\":[" + attendanceIDs.map(JSONText.quoted).joined(separator: ",") + "]}"
        }
        return s + "}"
    }
}

/// A fresh, unique event id: `evt_` + 16 random bytes in hex.
enum EventID {
    static func make() -> String {
        let bytes = Crypto.randomBytes(count: 16) ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        return "evt_" + bytes.map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined()
    }
}

/// Payload JSON objects, built field by field in the canon's order.
struct Payload {
    private var parts: [String] = []
    mutating func string(_ k: String, _ v: String?) { parts.append(JSONText.quoted(k) + ":" + (v.map(JSONText.quoted) ?? "null")) }
    mutating func int(_ k: String, _ v: Int) { parts.append(JSONText.quoted(k) + ":" + String(v)) }
    mutating func raw(_ k: String, _ json: String) { parts.append(JSONText.quoted(k) + ":" + json) }
    var text: String { "{" + parts.joined(separator: ",") + "}" }
}
