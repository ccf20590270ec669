// A subscription's event filter (contract §5): every hook (`["*"]`) or a set of names from
// ``OutboundHook``. Input is a JSON array of strings; `*` must stand alone; unknown names, an empty list
// and duplicates are refused with a 422 naming `events`. Stored as `*` or the names comma-joined in
// contract order (see WebhookSubscription+Redis).

/// Which hooks a subscription receives.
public enum WebhookEventFilter: Sendable, Equatable {
    /// Every hook, now and future (`*`).
    case all
    /// Only these.
    case only(Set<OutboundHook>)

    /// The wildcard.
    public static let wildcard = "*"

    /// Whether an event with this `hook` field goes to the subscription.
    public func matches(_ hook: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let hooks): return OutboundHook(rawValue: hook).map(hooks.contains) ?? false
        }
    }

    /// The names as the API shows them: `["*"]` or the hooks in contract order.
    public var names: [String] {
        switch self {
        case .all: return [Self.wildcard]
        case .only(let hooks): return OutboundHook.allCases.filter(hooks.contains).map(\.rawValue)
        }
    }

    /// Validates the `events` field.
    /// - Parameter names: the array's strings.
    /// - Returns: the filter, or a 422 naming `events`.
    public static func parse(_ names: [String]) -> Result<WebhookEventFilter, Problem> {
        if names == [wildcard] { return .success(.all) }
        guard !names.isEmpty else { return .failure(.invalidField("events", "expected [\"*\"] or a non-empty list of hook names")) }
        var hooks = Set<OutboundHook>()
        for name in names {
            guard let hook = OutboundHook(rawValue: name) else {
                let rule = name == wildcard ? "\"*\" must be the only entry" : "unknown hook name; expected \"*\" or any of " + OutboundHook.names.joined(separator: ", ")
                return .failure(.invalidField("events", rule))
            }
            guard hooks.insert(hook).inserted else { return .failure(.invalidField("events", "a hook name is listed twice")) }
        }
        return .success(.only(hooks))
    }

    /// The stored text: `*` or the names comma-joined.
    public var storedText: String { names.joined(separator: ",") }

    /// Reads ``storedText`` back; `nil` when it does not parse.
    public init?(storedText: String) {
        guard case .success(let filter) = Self.parse(storedText.split(separator: ",").map(String.init)) else { return nil }
        self = filter
    }
}
