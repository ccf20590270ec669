// Redis key names. Every key of one webinar carries the hash tag `{w:<id>}`, so a later Redis
// Cluster keeps a room, its sessions and its wake channel on one shard.

/// Key and channel names for one webinar.
public struct RoomKeys: Sendable {
    /// The webinar id (already validated as an identifier).
    public let webinarID: String

    public init(_ webinarID: String) { self.webinarID = webinarID }

    /// Hash: `v` (version), `status`, `cta` (0/1), `type` (live/auto).
    public var room: String { "wg:{w:\(webinarID)}:room" }
    /// Hash for one participation session: `v`, `entered_at`, `left_at`, `completed_at`, `progress`, `joined_at`.
    public func session(_ sessionID: String) -> String { "wg:{w:\(webinarID)}:s:\(sessionID)" }
    /// Pub/sub channel that wakes parked polls: payload `r:<version>` or `s:<session_id>`.
    public var wakeChannel: String { "wg:{w:\(webinarID)}:wake" }
}
