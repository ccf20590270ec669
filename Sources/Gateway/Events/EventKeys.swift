// Redis key names of the event pipeline that belong to no one webinar: the node-wide stream, the
// attendance job queue, Core's event dedup marks and the AutoWebinar sessions of a Core user. The
// keys of one webinar (once-marks, leads, attendance job and lease...) are in `RoomKeys`.

/// Node-wide key names of the event pipeline.
enum EventKeys {
    /// The stream every emitted event is appended to (XADD; read by consumers and `events tail`).
    static let stream = "wg:events"
    /// Set of webinars whose attendance batch is pending (filled by the status script).
    static let attendancePending = "wg:jobs:attendance"

    /// Dedup mark of one inbound Core event, by its `event_id`.
    static func coreEvent(_ eventID: String) -> String { "wg:core:evt:" + eventID }

    /// Hash of one Core user's AutoWebinar session for one referral context (hash tag `{u:<user>}`).
    static func autoSession(user: String, ref: String) -> String { "wg:aw:{u:\(user)}:\(ref)" }
}

/// The attendance batch's key names as `HookHandler` (Room/) names them; forwards to the one place
/// each is built, `EventKeys` and `RoomKeys`.
enum AttendanceKeys {
    /// `EventKeys.attendancePending`.
    static var pending: String { EventKeys.attendancePending }
}
