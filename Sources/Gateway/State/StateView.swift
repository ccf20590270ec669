// What one poller is shown: the room, its session (if any) and the webinar type, serialized into the
// state route's body and ETag (contract §2).
/// The full state for one poller: room + optional session + the type to show.
public struct StateView: Sendable, Equatable {
    public var webinarID: String
    public var room: RoomSnapshot
    public var session: SessionSnapshot?
    /// The token's type, shown while the room has no stored type.
    public var fallbackType: WebinarType

    public var type: WebinarType { room.storedType ?? fallbackType }

    /// Strong ETag: room version, session version, shown type and a hash of the session id.
    public var etag: String { Self.etag(roomVersion: room.version, sessionPart: sessionTagPart, type: type) }

    /// The session's part of the ETag (`s<version>-<hash of id>`, empty without a session); computed once per poll.
    public var sessionTagPart: String {
        guard let s = session else { return "" }
        return "s\(s.version)-\(Self.fnv1a(s.sessionID))"
    }

    /// Assembles an ETag from its parts (the registry reuses the session part across wakes).
    public static func etag(roomVersion: Int64, sessionPart: String, type: WebinarType) -> String {
        "\"r\(roomVersion)" + sessionPart + (type == .live ? "l\"" : "a\"")
    }

    /// The room part of the body up to `"session":` — identical for every poll of this version and type.
    public var roomPrefix: String {
        "{\"webinar_id\":\(JSONText.quoted(webinarID)),\"webinar_type\":\"\(type.rawValue)\",\"status\":\"\(room.status.rawValue)\",\"cta_visibility\":\(room.cta),\"version\":\(room.version),\"session\":"
    }

    /// The whole JSON body.
    public var json: String { roomPrefix + (session?.json ?? "null") + "}" }

    static func fnv1a(_ s: String) -> String {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return String(h, radix: 36)
    }
}
