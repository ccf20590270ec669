// Planning of the AutoWebinar-only facts (the planner has already refused them for live sessions):
// progress milestones, which only ever rise, and the CTA click, once per session.

extension FactPlanner {
    /// `progress`: one of 25, 50, 75, 100; the emit script drops a value not above the stored one.
    static func progress(_ d: inout FactDraft) -> Problem? {
        guard case .number(let n)? = d.body.fields["progress"], [25.0, 50, 75, 100].contains(n) else {
            return .invalidField("progress", "one of 25, 50, 75, 100")
        }
        d.plan.progress = Int(n)
        d.autoEvent("autowebinar_progress", progress: Int(n))
        return nil
    }

    /// `cta_click`: once per session.
    static func ctaClick(_ d: inout FactDraft) -> Problem? {
        d.markOnce(.ctaClick, d.sessionID)
        d.autoEvent("autowebinar_cta_click")
        return nil
    }
}
