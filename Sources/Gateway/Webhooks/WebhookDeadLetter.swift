// One parked delivery of `wg:webhooks:dead` (contract §5) as the admin API and `gateway webhooks dead`
// show it: `{"event_id", "attempts", "last_status", "last_error", "dead_at"}`. Read from the flat reply of
// WebhookStoreScripts.dead; `last_status`/`last_error` are null when the settle script stored "".

/// A dead letter of one subscription.
public struct WebhookDeadLetter: Sendable, Equatable {
    /// The stream entry id (`<ms>-<seq>`).
    public let entryID: String
    public let eventID: String
    /// Attempts made before it was parked.
    public let attempts: Int
    /// The last HTTP status, if the last attempt got an answer.
    public let lastStatus: Int?
    /// The last failure text, if the last attempt got no answer.
    public let lastError: String?
    /// Unix ms it was parked (Redis clock).
    public let deadAtMillis: Int64

    /// Reads the script's flat list (6 strings per letter).
    /// - Returns: the letters, or `nil` when the reply does not have that shape.
    static func decode(_ parts: [String]) -> [WebhookDeadLetter]? {
        guard parts.count % 6 == 0 else { return nil }
        var out: [WebhookDeadLetter] = []
        var i = 0
        while i < parts.count {
            out.append(WebhookDeadLetter(entryID: parts[i], eventID: parts[i + 1], attempts: Int(parts[i + 2]) ?? 0,
                                         lastStatus: Int(parts[i + 3]), lastError: parts[i + 4].isEmpty ? nil : parts[i + 4],
                                         deadAtMillis: Int64(parts[i + 5]) ?? 0))
            i += 6
        }
        return out
    }

    /// The JSON object of the API.
    public var json: String {
        "{\"event_id\":" + JSONText.quoted(eventID) + ",\"attempts\":\(attempts)"
            + ",\"last_status\":" + (lastStatus.map { String($0) } ?? "null")
            + ",\"last_error\":" + (lastError.map(JSONText.quoted) ?? "null")
            + ",\"dead_at\":" + JSONText.quoted(WallClock.iso(millis: deadAtMillis)) + "}"
    }

    /// `{"deliveries": [...]}`.
    public static func listJSON(_ letters: [WebhookDeadLetter]) -> String {
        "{\"deliveries\":[" + letters.map(\.json).joined(separator: ",") + "]}"
    }
}
