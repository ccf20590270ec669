// The checked body of `POST /v1/admin/webhooks` (create) and `PATCH /v1/admin/webhooks/{id}` (contract
// §5), and the same from `gateway webhooks add`. Create takes `url` (required), `events` (default
// `["*"]`), `description`, `secret` (optional: a `whsec_` secret to use instead of a generated one).
// Patch takes any of `url`, `events`, `description`, `enabled`. Any other member, a wrong type or a
// broken rule is a 422 naming the field, checked before anything is changed.

/// Validated subscription fields; `nil` means absent.
public struct WebhookSubscriptionInput: Sendable, Equatable {
    /// Which request the body belongs to.
    public enum Mode: Sendable {
        case create, patch

        var allowedFields: Set<String> {
            switch self {
            case .create: return ["url", "events", "description", "secret"]
            case .patch: return ["url", "events", "description", "enabled"]
            }
        }
    }

    public var url: WebhookURL?
    public var events: WebhookEventFilter?
    public var description: String?
    public var secret: WebhookSecret?
    public var enabled: Bool?

    /// Fields set directly (the command line builds input this way, then ``parse`` checks JSON bodies).
    public init(url: WebhookURL? = nil, events: WebhookEventFilter? = nil, description: String? = nil,
                secret: WebhookSecret? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.enabled = enabled
    }

    /// Checks a JSON object body's members.
    /// - Parameters:
    ///   - fields: the top-level members (``JSONBody/fields``).
    ///   - mode: create or patch.
    ///   - allowPrivate: `--webhook-allow-private`.
    ///   - settings: the limits.
    /// - Returns: the input, or the first 422 (in the order url, events, description, secret, enabled).
    public static func parse(_ fields: [String: ClaimValue], mode: Mode, allowPrivate: Bool,
                             settings: WebhookSettings = WebhookSettings()) -> Result<WebhookSubscriptionInput, Problem> {
        if let unknown = fields.keys.sorted().first(where: { !mode.allowedFields.contains($0) }) {
            let allowed = mode.allowedFields.sorted().joined(separator: ", ")
            return .failure(.invalidField(unknown.utf8.count <= 64 && Identifier.isValid(unknown) ? unknown : "body",
                                          "unknown member; allowed: " + allowed))
        }
        var input = WebhookSubscriptionInput()
        switch fields["url"] {
        case nil where mode == .create: return .failure(.invalidField("url", "required absolute https URL"))
        case nil: break
        case .string(let s)?:
            switch WebhookURL.parse(s, allowPrivate: allowPrivate, settings: settings) {
            case .success(let u): input.url = u
            case .failure(let p): return .failure(p)
            }
        case _?: return .failure(.invalidField("url", "must be a string"))
        }
        if let value = fields["events"] {
            guard case .array(let items) = value else { return .failure(.invalidField("events", "must be an array of hook names or [\"*\"]")) }
            var names: [String] = []
            for item in items {
                guard case .string(let s) = item else { return .failure(.invalidField("events", "must be an array of strings")) }
                names.append(s)
            }
            switch WebhookEventFilter.parse(names) {
            case .success(let f): input.events = f
            case .failure(let p): return .failure(p)
            }
        }
        switch fields["description"] {
        case nil: break
        case .null?: input.description = ""
        case .string(let s)?:
            switch checkDescription(s, settings: settings) {
            case .success(let d): input.description = d
            case .failure(let p): return .failure(p)
            }
        case _?: return .failure(.invalidField("description", "must be a string"))
        }
        if let value = fields["secret"] {
            guard case .string(let s) = value else { return .failure(.invalidField("secret", "must be a string")) }
            switch WebhookSecret.parse(s, settings: settings) {
            case .success(let secret): input.secret = secret
            case .failure(let p): return .failure(p)
            }
        }
        if let value = fields["enabled"] {
            guard case .bool(let b) = value else { return .failure(.invalidField("enabled", "must be true or false")) }
            input.enabled = b
        }
        return .success(input)
    }

    /// A description: at most `descriptionMaxCharacters` Unicode scalars, no control characters.
    public static func checkDescription(_ text: String, settings: WebhookSettings = WebhookSettings()) -> Result<String, Problem> {
        let rule = "at most \(settings.descriptionMaxCharacters) characters, no control characters"
        guard text.unicodeScalars.count <= settings.descriptionMaxCharacters,
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else {
            return .failure(.invalidField("description", rule))
        }
        return .success(text)
    }
}
