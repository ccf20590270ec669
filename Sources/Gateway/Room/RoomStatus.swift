// The webinar status state machine of contract.md §3, as pure data. The Lua script that applies a
// change atomically carries the same table; a test runs every (status, action) pair through both.

/// Room status.
public enum RoomStatus: String, Sendable, CaseIterable {
    case scheduled, live, paused, ended, archived
}

/// `core_webinar_set_status` actions.
public enum StatusAction: String, Sendable, CaseIterable {
    case start, stop, pause, archive

    /// The status the action leads to.
    public var target: RoomStatus {
        switch self {
        case .start: .live
        case .stop: .ended
        case .pause: .paused
        case .archive: .archived
        }
    }

    /// pause/archive are internal states: system only.
    public var isInternal: Bool { self == .pause || self == .archive }
}

/// What applying an action to a status does.
public enum StatusTransition: Equatable, Sendable {
    case applied(RoomStatus)
    case noop
    case illegal
}

extension RoomStatus {
    /// scheduled/ended/paused --start--> live; live/paused --stop--> ended; live --pause--> paused;
    /// any --archive--> archived (terminal). A repeat of the current state is a no-op.
    public func apply(_ action: StatusAction) -> StatusTransition {
        if self == action.target { return .noop }
        if self == .archived { return .illegal }
        switch (action, self) {
        case (.start, .scheduled), (.start, .ended), (.start, .paused): return .applied(.live)
        case (.stop, .live), (.stop, .paused): return .applied(.ended)
        case (.pause, .live): return .applied(.paused)
        case (.archive, _): return .applied(.archived)
        default: return .illegal
        }
    }
}
