// One delivery (an event for a subscription) as a state machine over WebhookSchedule: attempts made,
// when the next is due, the last status or error (what the dead letter records). Pure; the delivery
// layer keeps it in Redis so any node can continue it.

/// The progress of one delivery.
public struct WebhookDeliveryState: Sendable, Equatable {
    /// Attempts made so far.
    public private(set) var attempts: Int = 0
    /// Unix ms the next attempt is due; `nil` once finished.
    public private(set) var nextAttemptAtMillis: Int64?
    /// The last HTTP status, if the last attempt got an answer.
    public private(set) var lastStatus: Int?
    /// The last failure text, if the last attempt got no answer.
    public private(set) var lastError: String?
    /// The final decision, once there is one.
    public private(set) var finished: WebhookSchedule.Decision?

    /// A new delivery, its first attempt due per the schedule's first entry.
    public init(createdAtMillis: Int64, schedule: WebhookSchedule, random: () -> Double) {
        nextAttemptAtMillis = schedule.firstAttemptAt(createdAtMillis: createdAtMillis, random: random)
    }

    /// Records the attempt that just ended and decides what follows.
    /// - Returns: the decision; for `.retry` ``nextAttemptAtMillis`` is its time, otherwise `nil`.
    @discardableResult
    public mutating func record(_ outcome: WebhookSchedule.Outcome, nowMillis: Int64, schedule: WebhookSchedule,
                                random: () -> Double) -> WebhookSchedule.Decision {
        guard finished == nil else { return finished ?? .dead }
        attempts += 1
        switch outcome {
        case .response(let status, _): lastStatus = status; lastError = nil
        case .failure(let text): lastStatus = nil; lastError = text
        }
        let decision = schedule.decide(attempt: attempts, outcome: outcome, nowMillis: nowMillis, random: random)
        if case .retry(let at) = decision {
            nextAttemptAtMillis = at
        } else {
            nextAttemptAtMillis = nil
            finished = decision
        }
        return decision
    }
}
