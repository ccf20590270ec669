// The canonical list of hook names the gateway appends to `wg:events` (contract §3-§5): what a webhook
// subscription may filter on. Until now the names lived only as literals at their emitters
// (FactPlanner*, CoreHooks, EventScripts.emit, AttendanceRunner.batch); WebhookHookTests checks that
// every one of those literals is listed here, so a new event cannot be emitted without being filterable.

/// A hook name that can appear in the `hook` field of a `wg:events` entry; the raw value is the name.
public enum OutboundHook: String, CaseIterable, Sendable {
    case clientWebinarRegistered = "client_webinar_registered"
    case clientWebinarEntered = "client_webinar_entered"
    case clientWebinarLeft = "client_webinar_left"
    case clientWebinarCompleted = "client_webinar_completed"
    case clientWebinarFormSubmitted = "client_webinar_form_submitted"
    case clientWebinarAttendanceClassified = "client_webinar_attendance_classified"
    case postWebinarRoute = "post_webinar_route"
    case webinarCompleted = "webinar_completed"
    case autowebinarSessionCreated = "autowebinar_session_created"
    case autowebinarJoin = "autowebinar_join"
    case autowebinarProgress = "autowebinar_progress"
    case autowebinarCTAClick = "autowebinar_cta_click"
    case autowebinarCompleted = "autowebinar_completed"
    /// Operational: a subscription was disabled after failing for the disable-after period (issue 13).
    case webhookEndpointDisabled = "webhook_endpoint_disabled"

    /// Every name, in contract order (422 messages list them so).
    public static let names: [String] = allCases.map(\.rawValue)

    /// Whether `name` is a hook the gateway emits.
    public static func isKnown(_ name: String) -> Bool { OutboundHook(rawValue: name) != nil }
}
