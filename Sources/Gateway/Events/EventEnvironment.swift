// Where events get their server-side stamps: the wall-clock time written into payloads and
// `emitted_at`, and each event's fresh `event_id`. Production uses the system ones; tests pin both,
// so a plan's payload text can be checked byte for byte.

/// The clock and the id source that stamp events (facts, Core hooks, the attendance batch).
public struct EventEnvironment: Sendable {
    /// Now as ISO-8601 UTC with milliseconds and `Z` (`2026-11-29T10:15:30.123Z`).
    public var now: @Sendable () -> String
    /// A fresh, unique event id (`evt_` + 32 hex digits in production).
    public var newEventID: @Sendable () -> String

    /// Creates an environment from its two sources.
    /// - Parameters:
    ///   - now: the wall clock, formatted as the payloads write it.
    ///   - newEventID: the event id source; each call must return a new id.
    public init(now: @escaping @Sendable () -> String, newEventID: @escaping @Sendable () -> String) {
        self.now = now
        self.newEventID = newEventID
    }

    /// The real wall clock (`WallClock.isoNow`) and random ids (`EventID.make`).
    public static let system = EventEnvironment(now: { WallClock.isoNow() }, newEventID: { EventID.make() })
}
