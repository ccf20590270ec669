// The client facts of contract §4, by the `type` the body names.

/// A participation fact a client reports; the raw value is its wire name.
enum FactType: String, CaseIterable {
    case registered, entered, left, completed
    case formSubmitted = "form_submitted"
    case progress
    case ctaClick = "cta_click"

    /// The wire names in contract order (the 422 for an unknown `type` lists them so).
    static let names = allCases.map(\.rawValue)

    /// Only an AutoWebinar session (`webinar_type` auto) may report it.
    var isAutoOnly: Bool { self == .progress || self == .ctaClick }
}
