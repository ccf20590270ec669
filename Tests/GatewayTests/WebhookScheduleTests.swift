// Retry schedule math on a fake clock with a pinned random source: the default Standard Webhooks
// delays, jitter bounds, Retry-After (seconds and the three HTTP-date forms), 2xx/410/other outcomes,
// the dead letter after the last attempt, the 5-day auto-disable, and the duration settings. Pure.
import Testing
@testable import Gateway
import HTTP1

@Suite struct WebhookScheduleTests {
    /// A fake clock: Unix ms, advanced by hand.
    struct FakeClock {
        var nowMillis: Int64 = 1_764_411_330_000
        mutating func advance(to t: Int64) { nowMillis = max(nowMillis, t) }
    }

    static let noJitter: @Sendable () -> Double = { 0 }
    static let maxJitter: @Sendable () -> Double = { 0.999_999 }

    @Test func walksTheStandardScheduleToTheDeadLetter() {
        let schedule = WebhookSchedule()
        #expect(schedule.maxAttempts == 10)
        var clock = FakeClock()
        var state = WebhookDeliveryState(createdAtMillis: clock.nowMillis, schedule: schedule, random: Self.noJitter)
        #expect(state.nextAttemptAtMillis == clock.nowMillis)
        var waits: [Int64] = []
        for attempt in 1...10 {
            guard let due = state.nextAttemptAtMillis else { Issue.record("no attempt \(attempt)"); return }
            clock.advance(to: due)
            let decision = state.record(.response(status: 500, retryAfter: nil), nowMillis: clock.nowMillis, schedule: schedule, random: Self.noJitter)
            if case .retry(let at) = decision { waits.append(at - clock.nowMillis) } else { #expect(attempt == 10 && decision == .dead) }
        }
        #expect(waits == Array(WebhookSettings.standardScheduleMillis.dropFirst()))
        #expect(state.attempts == 10 && state.finished == .dead && state.lastStatus == 500 && state.nextAttemptAtMillis == nil)
        #expect(state.record(.response(status: 200, retryAfter: nil), nowMillis: clock.nowMillis, schedule: schedule, random: Self.noJitter) == .dead)
        #expect(state.attempts == 10)
    }

    @Test func deliveredOnTheFourthAttemptWithAMillisecondSchedule() {
        var settings = WebhookSettings()
        settings.retryScheduleMillis = [0, 50, 100, 200]
        let schedule = WebhookSchedule(settings: settings)
        var clock = FakeClock()
        var state = WebhookDeliveryState(createdAtMillis: clock.nowMillis, schedule: schedule, random: Self.maxJitter)
        let outcomes: [WebhookSchedule.Outcome] = [.response(status: 500, retryAfter: nil), .failure("timeout after 15 s"),
                                                   .response(status: 302, retryAfter: nil), .response(status: 204, retryAfter: nil)]
        var decisions: [WebhookSchedule.Decision] = []
        for outcome in outcomes {
            clock.advance(to: state.nextAttemptAtMillis ?? 0)
            decisions.append(state.record(outcome, nowMillis: clock.nowMillis, schedule: schedule, random: Self.maxJitter))
        }
        let t0: Int64 = 1_764_411_330_000
        #expect(decisions == [.retry(atMillis: t0 + 54), .retry(atMillis: t0 + 54 + 109), .retry(atMillis: t0 + 54 + 109 + 219), .delivered])
        #expect(state.lastStatus == 204 && state.lastError == nil && state.attempts == 4)
    }

    @Test func jitterIsAtMostTenPercent() {
        let s = WebhookSchedule()
        for u in [0.0, 0.25, 0.5, 0.999, 1.0, 7.0, -3.0] {
            let d = s.jittered(300_000, random: { u })
            #expect(d >= 300_000 && d <= 330_000)
        }
        #expect(s.jittered(0, random: { 0.9 }) == 0)
    }

    @Test func outcomes() {
        let s = WebhookSchedule()
        let now: Int64 = 1_000_000
        #expect(s.decide(attempt: 1, outcome: .response(status: 200, retryAfter: nil), nowMillis: now, random: Self.noJitter) == .delivered)
        #expect(s.decide(attempt: 10, outcome: .response(status: 299, retryAfter: nil), nowMillis: now, random: Self.noJitter) == .delivered)
        #expect(s.decide(attempt: 1, outcome: .response(status: 410, retryAfter: nil), nowMillis: now, random: Self.noJitter) == .gone)
        #expect(s.decide(attempt: 3, outcome: .failure("connection refused"), nowMillis: now, random: Self.noJitter) == .retry(atMillis: now + 1_800_000))
        #expect(s.decide(attempt: 1, outcome: .response(status: 301, retryAfter: "1"), nowMillis: now, random: Self.noJitter) == .retry(atMillis: now + 5_000))
    }

    @Test func retryAfterReplacesTheNextDelayWhenLonger() {
        let s = WebhookSchedule()
        let now: Int64 = 784_111_777_000  // Sun, 06 Nov 1994 08:49:37 GMT
        func next(_ status: Int, _ header: String?, attempt: Int = 1) -> WebhookSchedule.Decision {
            s.decide(attempt: attempt, outcome: .response(status: status, retryAfter: header), nowMillis: now, random: Self.noJitter)
        }
        #expect(next(429, "120") == .retry(atMillis: now + 120_000))
        #expect(next(503, "2") == .retry(atMillis: now + 5_000))  // shorter than the schedule's 5 s
        #expect(next(500, "120") == .retry(atMillis: now + 5_000))  // only 429/503
        #expect(next(429, "Sun, 06 Nov 1994 08:59:37 GMT") == .retry(atMillis: now + 600_000))
        #expect(next(429, "Sunday, 06-Nov-94 09:49:37 GMT") == .retry(atMillis: now + 3_600_000))
        #expect(next(429, "Sun Nov  6 08:50:37 1994") == .retry(atMillis: now + 60_000))
        #expect(next(429, "Sun, 06 Nov 1994 08:00:00 GMT") == .retry(atMillis: now + 5_000))  // past
        #expect(next(429, "soon") == .retry(atMillis: now + 5_000))
        #expect(next(429, "999999999") == .retry(atMillis: now + 86_400_000))  // clamped
        #expect(next(429, "120", attempt: 10) == .dead)
    }

    @Test func httpDates() {
        #expect(WebhookRetryAfter.unixSeconds(httpDate: "Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(WebhookRetryAfter.unixSeconds(httpDate: "Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(WebhookRetryAfter.unixSeconds(httpDate: "Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        for s in [0, 951_782_400, 1_764_411_330, 4_102_444_800] {
            #expect(WebhookRetryAfter.unixSeconds(httpDate: HTTPDateText.imf(s)) == Int64(s))
        }
        for bad in ["", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                    "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Tue, 29 Feb 2027 00:00:00 GMT", "Sun, 06 Nov 1994 8:49:37 GMT"] {
            #expect(WebhookRetryAfter.unixSeconds(httpDate: bad) == nil, "\(bad)")
        }
        #expect(WebhookRetryAfter.delayMillis(" 7 ", nowMillis: 0) == 7_000)
        #expect(WebhookRetryAfter.delayMillis("-1", nowMillis: 0) == nil)
        #expect(WebhookRetryAfter.delayMillis("1.5", nowMillis: 0) == nil)
    }

    @Test func durations() throws {
        #expect(try WebhookDuration.parseSchedule("0,5s,5m,30m,2h,5h,10h,14h,20h,24h").get() == WebhookSettings.standardScheduleMillis)
        #expect(try WebhookDuration.parseSchedule("0,50ms,100ms").get() == [0, 50, 100])
        #expect(WebhookDuration.parseMillis("5d") == 432_000_000 && WebhookDuration.parseMillis("15") == 15_000)
        for bad in ["", "5x", "-5s", "1.5s", "5 s", "s", "367d", "9999999999999ms"] { #expect(WebhookDuration.parseMillis(bad) == nil, "\(bad)") }
        for bad in ["", "0,,5s", "0,5q", String(repeating: "1,", count: 100) + "1"] {
            guard case .failure(let e) = WebhookDuration.parseSchedule(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(e.description.hasPrefix("--webhook-retry-schedule: "))
        }
        var settings = WebhookSettings()
        settings.retryScheduleMillis = []
        #expect(WebhookSchedule(settings: settings).maxAttempts == 1)
    }
}

/// IMF-fixdate text from the project's formatter, for round trips.
enum HTTPDateText {
    static func imf(_ seconds: Int) -> String { HTTPDate.imfFixdate(unixSeconds: seconds) }
}
