// What a state answer is made of: the room (shared by every poll of that version) and one session.
// The ETag is strong and changes exactly when the room, the session or the representation changes.
import RedisStore

/// The webinar's type.
public enum WebinarType: String, Sendable, CaseIterable {
    case live, auto
}

/// The room part of the state, as read from Redis.
public struct RoomSnapshot: Sendable, Equatable {
    public var version: Int64
    public var status: RoomStatus
    public var cta: Bool
    /// nil while no hook has touched the room (then the token's type is shown).
    public var storedType: WebinarType?

    public init(version: Int64 = 0, status: RoomStatus = .scheduled, cta: Bool = false, storedType: WebinarType? = nil) {
        self.version = version
        self.status = status
        self.cta = cta
        self.storedType = storedType
    }

    /// Decodes the HMGET reply `{v, status, cta, type}`; missing fields read as an untouched room.
    public init(reply: RedisReply) {
        self.init(fields: (reply.array ?? [])[...])
    }

    /// Decodes `{v, status, cta, type}` from the start of `fields`.
    public init(fields f: ArraySlice<RedisReply>) {
        let base = f.startIndex
        func s(_ i: Int) -> String? { base + i < f.endIndex ? f[base + i].string : nil }
        version = Int64(s(0) ?? "") ?? 0
        status = RoomStatus(rawValue: s(1) ?? "") ?? .scheduled
        cta = s(2) == "1"
        storedType = s(3).flatMap(WebinarType.init(rawValue:))
    }
}

/// One participation session's record.
public struct SessionSnapshot: Sendable, Equatable {
    public var sessionID: String
    public var version: Int64 = 0
    public var enteredAt: String?
    public var leftAt: String?
    public var completedAt: String?
    public var progress: Int = 0
    public var joinedAt: String?

    public init(sessionID: String) { self.sessionID = sessionID }

    /// Decodes `{v, entered_at, left_at, completed_at, progress, joined_at}`.
    public init(sessionID: String, reply: RedisReply) {
        self.init(sessionID: sessionID, fields: (reply.array ?? [])[...])
    }

    /// Decodes `{v, entered_at, left_at, completed_at, progress, joined_at}` from the start of `fields`.
    public init(sessionID: String, fields f: ArraySlice<RedisReply>) {
        self.sessionID = sessionID
        let base = f.startIndex
        func s(_ i: Int) -> String? {
            guard base + i < f.endIndex, let v = f[base + i].string, !v.isEmpty else { return nil }
            return v
        }
        version = Int64(s(0) ?? "") ?? 0
        enteredAt = s(1)
        leftAt = s(2)
        completedAt = s(3)
        progress = Int(s(4) ?? "") ?? 0
        joinedAt = s(5)
    }

    /// JSON object text; `null` when the session has no record yet.
    public var json: String {
        guard version > 0 else { return "null" }
        func t(_ v: String?) -> String { v.map(JSONText.quoted) ?? "null" }
        return "{\"session_id\":\(JSONText.quoted(sessionID)),\"entered_at\":\(t(enteredAt)),\"left_at\":\(t(leftAt)),\"completed_at\":\(t(completedAt)),\"progress\":\(progress),\"joined_at\":\(t(joinedAt))}"
    }
}
