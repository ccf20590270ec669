// Redis key names. Every key of one webinar carries the hash tag `{w:<id>}`, so a later Redis
// Cluster keeps a room, its sessions and its wake channel on one shard. Node-wide event keys (the
// `wg:events` stream, the attendance job queue, Core's dedup marks) are in `EventKeys`. Every key below
// expires (its life: `EventSettings`, `AttendanceSettings`; the overview: `PermanentKeys`).

/// Key and channel names for one webinar.
public struct RoomKeys: Sendable {
    /// The webinar id (already validated as an identifier).
    public let webinarID: String

    public init(_ webinarID: String) { self.webinarID = webinarID }

    /// `wg:{w:<id>}:`, the start of every name below.
    private var prefix: String { "wg:{w:\(webinarID)}:" }

    /// Hash: `v` (version), `status`, `cta` (0/1), `type` (live/auto).
    public var room: String { prefix + "room" }
    /// Hash for one participation session: `v`, `entered_at`, `left_at`, `completed_at`, `progress`, `joined_at`.
    public func session(_ sessionID: String) -> String { prefix + "s:\(sessionID)" }
    /// Pub/sub channel that wakes parked polls: payload `r:<version>` or `s:<session_id>`.
    public var wakeChannel: String { prefix + "wake" }

    /// Once-mark of one fact for one subject: `wg:{w:<id>}:once:<fact>:<subject>` (a lead or a
    /// session; `attendance` marks a classified lead — the attendance batch's Lua builds the same name).
    func onceMark(_ fact: String, _ subject: String) -> String { prefix + "once:" + fact + ":" + subject }
    /// Set of the webinar's leads (registered or entered): the attendance batch's audience.
    var leads: String { prefix + "leads" }
    /// Set of the leads that entered the webinar.
    var entered: String { prefix + "entered" }
    /// The first answer to a form submission with an `Idempotency-Key`, per session.
    func idempotency(_ sessionID: String, _ key: String) -> String { prefix + "idem:\(sessionID):" + key }
    /// Hash of the webinar's attendance batch: `cursor`, `state`.
    var attendanceJob: String { prefix + "attendance:job" }
    /// The attendance batch's lease (SET NX PX, value the runner's token).
    var attendanceLease: String { prefix + "attendance:lease" }
}
