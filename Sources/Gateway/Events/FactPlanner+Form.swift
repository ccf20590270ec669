// Planning of `form_submitted`: the form payload passes through byte for byte, and a retry with the
// same `Idempotency-Key` gets the first answer again (the emit script keeps it per session).

extension FactPlanner {
    /// `form_submitted`: needs `form_id` and a `form_payload` object within the size limit; an
    /// `Idempotency-Key` header must be 1-128 visible ASCII characters.
    static func formSubmitted(_ d: inout FactDraft) -> Problem? {
        guard let formID = d.body.fields["form_id"]?.stringValue, Identifier.isValid(formID) else {
            return .invalidField("form_id", "required string of 1-128 characters of [A-Za-z0-9._:-]")
        }
        guard let payload = d.body.fields["form_payload"], case .object = payload else {
            return .invalidField("form_payload", "required JSON object")
        }
        // Passed through byte for byte (validated as one JSON object): numbers keep every digit.
        let payloadText = d.body.rawFields["form_payload"].map { String(decoding: $0, as: UTF8.self) } ?? JSONValueWriter.write(payload)
        let limit = d.settings.maxFormPayloadBytes
        guard payloadText.utf8.count <= limit else {
            return .invalidField("form_payload", "at most \(limit) bytes serialized")
        }
        if let key = d.request.head.headers.first("idempotency-key") {
            guard !key.isEmpty, key.utf8.count <= 128, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return .invalidParameter("Idempotency-Key", "1-128 visible ASCII characters")
            }
            d.plan.idempotencyKey = d.keys.idempotency(d.sessionID, key)
        }
        let now = d.now, session = d.sessionID
        d.clientEvent("client_webinar_form_submitted") {
            $0.string("session_id", session); $0.string("submitted_at", now); $0.string("form_id", formID)
            $0.raw("form_payload", payloadText)
        }
        return nil
    }
}
